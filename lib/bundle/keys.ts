/**
 * The name of each checker's report key. Every checker signs its reports with a key of its own
 * (lib/protocol/auth.ts); the key name is how the deployment finds it: the file in a DNS node's
 * keys directory (`dns-failover serve --keys-dir`), the systemd credential, the path inside the
 * Kubernetes volume. A key name is a file name on every system: letters, digits, `.`, `_`, `-`,
 * starting with a letter or digit, at most 128 characters (so never `/`, `.` or `..`).
 */
import { createHash } from 'crypto';
import { BundleChecker } from './types';

export const KEY_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * The key name a checker gets when its config leaves it out: its id when that is a key name already,
 * otherwise the id with every other character replaced by `_` and 8 hex digits of its SHA-256
 * (so that `a/b` and `a_b` never share a key).
 */
export function defaultKeyName(checkerId: string): string {
  if (KEY_NAME_PATTERN.test(checkerId)) return checkerId;
  const digest = createHash('sha256').update(checkerId).digest('hex').slice(0, 8);
  let clean = checkerId.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[._-]+/, '');
  if (clean === '') clean = 'checker';
  return `${clean.slice(0, 118)}-${digest}`;
}

/** The key name of a checker of a bundle config: its `keyName`, or {@link defaultKeyName} of its id. */
export function checkerKeyName(checker: Pick<BundleChecker, 'id' | 'keyName'>): string {
  return checker.keyName ?? defaultKeyName(checker.id);
}
