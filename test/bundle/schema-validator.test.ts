/** The bundle config's schema validator is compiled ahead of time (scripts/schema-validator.js): it must match the schema. */
import * as fs from 'fs';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const generator = require('../../scripts/schema-validator.js') as { target: string; generate(): string };

test('lib/bundle/schema-validator.ts is what ajv compiles from lib/bundle/schema.json today', () => {
  const current = fs.readFileSync(generator.target, 'utf8');
  // When this fails, the schema or ajv changed: run `node scripts/schema-validator.js` and commit the file.
  expect(current === generator.generate()).toBe(true);
});
