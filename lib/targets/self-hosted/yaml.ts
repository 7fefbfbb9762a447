/**
 * A small YAML writer for Kubernetes manifests: JSON data (objects, arrays, strings, numbers,
 * booleans, null) in block style. Every string is written double-quoted with JSON escapes (a valid
 * YAML double-quoted scalar), except multi-line strings, which become literal blocks (`|`) so that
 * an embedded file (the bundle config in its ConfigMap) stays readable. Keys that are not plain
 * identifiers are quoted too, so no value is ever read as another type ("on", "1.0", "null", ...).
 */

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_./-]*$/;
/** Words YAML 1.1 parsers read as booleans or null even as keys. */
const RESERVED = new Set(['y', 'n', 'yes', 'no', 'on', 'off', 'true', 'false', 'null']);

function key(k: string): string {
  return PLAIN_KEY.test(k) && !RESERVED.has(k.toLowerCase()) ? k : JSON.stringify(k);
}

function isBlockable(s: string): boolean {
  // Literal blocks cannot carry carriage returns, tabs at line starts or other control characters exactly.
  // eslint-disable-next-line no-control-regex
  return s.includes('\n') && !/[\r\u0000-\u0008\u000b-\u001f\u007f]/.test(s) && !/^[ \t]*\n/.test(s) && !/\n[ \t]+\n/.test(s);
}

function literalBlock(s: string, indent: string): string {
  let trailing = 0; // a loop, not /\n*$/: that regex tries every position of a config of megabytes
  while (trailing < s.length && s.charCodeAt(s.length - 1 - trailing) === 10) trailing++;
  const chomp = trailing === 0 ? '-' : trailing === 1 ? '' : '+';
  const body = trailing > 0 ? s.slice(0, s.length - trailing) : s;
  const indicator = body.startsWith(' ') ? '2' : '';
  const out = body.split('\n').map((l) => (l === '' ? '' : `${indent}  ${l}`));
  const extra = trailing > 1 ? '\n'.repeat(trailing - 1) : '';
  return `|${indicator}${chomp}\n${out.join('\n')}${extra}`;
}

function scalar(value: unknown, indent: string): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot write ${value} in a manifest; give a finite number`);
    return String(value);
  }
  if (typeof value === 'string') return isBlockable(value) ? literalBlock(value, indent) : JSON.stringify(value);
  throw new Error(`cannot write a ${typeof value} in a manifest`);
}

function isCollection(v: unknown): v is Record<string, unknown> | unknown[] {
  return v !== null && typeof v === 'object';
}

function isEmpty(v: Record<string, unknown> | unknown[]): boolean {
  return Array.isArray(v) ? v.length === 0 : Object.keys(v).filter((k) => v[k] !== undefined).length === 0;
}

function lines(value: unknown, indent: string): string[] {
  if (Array.isArray(value)) {
    const out: string[] = [];
    for (const item of value) {
      if (isCollection(item) && !isEmpty(item)) {
        const inner = lines(item, `${indent}  `);
        out.push(`${indent}- ${inner[0].slice(indent.length + 2)}`, ...inner.slice(1));
      } else {
        out.push(`${indent}- ${isCollection(item) ? (Array.isArray(item) ? '[]' : '{}') : scalar(item, indent)}`);
      }
    }
    return out;
  }
  const out: string[] = [];
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === undefined) continue;
    if (isCollection(v) && !isEmpty(v)) {
      out.push(`${indent}${key(k)}:`, ...lines(v, Array.isArray(v) ? indent : `${indent}  `));
    } else {
      out.push(`${indent}${key(k)}: ${isCollection(v) ? (Array.isArray(v) ? '[]' : '{}') : scalar(v, indent)}`);
    }
  }
  return out;
}

/** One YAML document for a JSON object. */
export function toYaml(value: Record<string, unknown>): string {
  return `${lines(value, '').join('\n')}\n`;
}

/** Several documents in one stream, separated by `---`. */
export function toYamlDocuments(values: readonly Record<string, unknown>[]): string {
  return values.map((v) => `---\n${toYaml(v)}`).join('');
}
