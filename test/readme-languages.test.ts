/**
 * The README shows the first gateway in Python, Java and Go: each block must be, character for character,
 * the app that `npx projen languages` runs (CI), so the README cannot show code that does not work.
 */
import * as fs from 'fs';
import * as path from 'path';

const root = path.join(__dirname, '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');

/** The fenced blocks of one language in the README, without their fences. */
function blocks(language: string): string[] {
  const re = new RegExp('^```' + language + '\\n([\\s\\S]*?)^```$', 'gm');
  return [...readme.matchAll(re)].map((m) => m[1]);
}

describe('README, the first gateway in other languages', () => {
  test.each([
    ['python', 'examples/emdr-python/app.py'],
    ['java', 'examples/emdr-java/src/main/java/com/example/emdr/EmdrApp.java'],
    ['go', 'examples/emdr-go/main.go'],
  ])('the %s block is %s', (language, file) => {
    const app = fs.readFileSync(path.join(root, file), 'utf8');
    const found = blocks(language);
    expect(found).toHaveLength(1);
    expect(found[0]).toBe(app);
    expect(readme).toContain(`(\`${file}\`)`);
  });

  test('the apps declare the gateway of the TypeScript example', () => {
    const ts = blocks('ts').find((b) => b.includes("new Stack(app, 'Emdr'"))!;
    for (const value of ['Z0EXAMPLE1234567890', 'example.com', 'emdr', '/status', 'gw-isp-a', '203.0.113.10', 'gw-isp-b', '198.51.100.20', 'us-east-1']) {
      expect(ts).toContain(`'${value}'`);
      for (const file of ['examples/emdr-python/app.py', 'examples/emdr-java/src/main/java/com/example/emdr/EmdrApp.java', 'examples/emdr-go/main.go']) {
        expect(fs.readFileSync(path.join(root, file), 'utf8')).toContain(`"${value}"`);
      }
    }
  });
});
