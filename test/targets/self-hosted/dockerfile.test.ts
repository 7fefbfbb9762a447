/**
 * The bundle's image keeps secrets out by construction (issue 13, item 7): its .dockerignore is an
 * allowlist (Docker's own matching rules, through @balena/dockerignore, a port of Docker's
 * implementation), so whatever an operator keeps in the bundle directory (checker keys, the old
 * report secret, an admin token) never enters the build context, and the Dockerfile copies only the
 * Dockerfile and a packed package. Before, the Dockerfile copied the whole directory where the
 * bundle's README told the operator to put the report secret, and the secret landed in an image layer.
 */
import * as fs from 'fs';
import * as path from 'path';
import { emdrStack, listFiles, removeTempDirs, tempDir } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const dockerignore = require('@balena/dockerignore') as () => { add(patterns: string): { filter(paths: string[]): string[] } };

afterAll(removeTempDirs);

/** The files of `dir` that `docker build dir` sends as its build context. */
function buildContext(dir: string): string[] {
  const file = path.join(dir, '.dockerignore');
  const all = listFiles(dir);
  return fs.existsSync(file) ? dockerignore().add(fs.readFileSync(file, 'utf8')).filter(all) : all;
}

test('keys, secrets and tokens in the bundle directory stay out of the build context and the image', () => {
  const { stack } = emdrStack({ checkers: [{ id: 'eu-1', region: 'eu' }, { id: 'us-1', region: 'us' }] });
  const dir = tempDir();
  stack.synth(dir);
  // What an operator may keep next to the bundle, old and new instructions alike.
  fs.mkdirSync(path.join(dir, 'keys'));
  fs.writeFileSync(path.join(dir, 'keys', 'eu-1'), 'key-of-eu-1-0123456789abcdef\n');
  fs.writeFileSync(path.join(dir, 'keys', 'us-1'), 'key-of-us-1-0123456789abcdef\n');
  fs.writeFileSync(path.join(dir, 'report-secret'), 'the old shared secret 0123456789\n');
  fs.writeFileSync(path.join(dir, 'admin.token'), 'admin-token-0123456789abcdef\n');
  fs.mkdirSync(path.join(dir, '.git'));
  fs.writeFileSync(path.join(dir, '.git', 'config'), '[core]\n');
  fs.writeFileSync(path.join(dir, 'cdk-dns-failover-1.2.3.tgz'), 'a packed package');

  expect(buildContext(dir)).toEqual(['Dockerfile', 'cdk-dns-failover-1.2.3.tgz']);

  // What the Dockerfile copies: named files only, each of them in the context.
  const dockerfile = fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8');
  const copies = dockerfile.split('\n').filter((l) => /^(COPY|ADD)\b/i.test(l)).map((l) => l.trim().split(/\s+/).slice(1));
  expect(copies).toEqual([['Dockerfile', 'cdk-dns-failover-*.tgz', '/build/']]);
  for (const c of copies) {
    for (const source of c.slice(0, -1)) {
      expect(source).not.toMatch(/^\.\/?$|^\*$/);
      const re = new RegExp(`^${source.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
      expect(buildContext(dir).filter((f) => re.test(f)).length).toBeGreaterThan(0);
    }
  }
  // The bundle's README tells the operator to make the keys outside the directory.
  const readme = fs.readFileSync(path.join(dir, 'README.md'), 'utf8');
  expect(readme).toContain('KEYS=../emdr-keys');
  expect(readme).not.toMatch(/> report-secret|> keys\//);
});

test('the allowlist is what Docker reads (the matcher can fail: without it everything is sent)', () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\n');
  fs.writeFileSync(path.join(dir, 'secret'), 'x');
  expect(buildContext(dir)).toEqual(['Dockerfile', 'secret']);
  fs.writeFileSync(path.join(dir, '.dockerignore'), '**\n!Dockerfile\n');
  expect(buildContext(dir)).toEqual(['Dockerfile']);
});
