#!/usr/bin/env node
// `save`: remember API.md as committed; `compare`: after the build regenerated it, fail if it changed,
// so a stale API.md fails the build (npx projen check) instead of being silently rewritten.
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const current = path.join(root, 'API.md');
const saved = path.join(root, '.api-md-before');
const mode = process.argv[2];

if (mode === 'save') {
  if (fs.existsSync(current)) fs.copyFileSync(current, saved);
  else fs.writeFileSync(saved, '');
} else if (mode === 'compare') {
  const before = fs.existsSync(saved) ? fs.readFileSync(saved, 'utf8') : '';
  const after = fs.readFileSync(current, 'utf8');
  fs.rmSync(saved, { force: true });
  if (before !== after) {
    const a = before.split('\n');
    const b = after.split('\n');
    let i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i++;
    console.error(`API.md was stale: the jsii API changed and the regenerated API.md differs from line ${i + 1}:`);
    console.error(`  was: ${a[i] ?? '(end of file)'}\n  now: ${b[i] ?? '(end of file)'}`);
    console.error('Commit the regenerated API.md (it is up to date in your working tree now).');
    process.exit(1);
  }
  console.log('API.md is current.');
} else {
  console.error('usage: api-md.js save|compare');
  process.exit(2);
}
