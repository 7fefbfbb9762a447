/**
 * A small argument parser for the `dns-failover` subcommands: `--flag value`, `--flag=value` and
 * boolean `--flag`; every error names the flag and says what is expected.
 */
import { isIPv4, isIPv6 } from 'net';

export interface FlagSpec {
  /** Without the dashes: `config` for `--config`. */
  readonly name: string;
  /** The placeholder shown in help (`<file>`); a flag without one is boolean. */
  readonly value?: string;
  readonly description: string;
  readonly required?: boolean;
  /** The default, as it would be typed. */
  readonly default?: string;
}

/** A positional argument (`dns-failover verify <path>`), stored in the parsed flags under its name. */
export interface PositionalSpec {
  readonly name: string;
  /** The placeholder shown in help (`<path>`). */
  readonly value: string;
  readonly description: string;
  readonly required?: boolean;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type ParsedFlags = Record<string, string | boolean | undefined>;

export function parseFlags(
  command: string,
  specs: readonly FlagSpec[],
  argv: readonly string[],
  positionals: readonly PositionalSpec[] = [],
): ParsedFlags {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const out: ParsedFlags = {};
  let position = 0;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      if (position < positionals.length) {
        out[positionals[position++].name] = arg;
        continue;
      }
      throw new UsageError(`unexpected argument '${arg}' for '${command}'; flags start with --, see 'dns-failover ${command} --help'`);
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq >= 0 ? eq : undefined);
    const spec = byName.get(name);
    if (!spec) {
      throw new UsageError(`unknown flag '--${name}' for '${command}'; it takes ${specs.map((s) => `--${s.name}`).join(', ')} (see 'dns-failover ${command} --help')`);
    }
    if (out[name] !== undefined) throw new UsageError(`flag '--${name}' is given twice; give it once`);
    if (!spec.value) {
      if (eq >= 0) throw new UsageError(`flag '--${name}' takes no value, got '${arg.slice(eq + 1)}'`);
      out[name] = true;
      continue;
    }
    let value: string | undefined;
    if (eq >= 0) {value = arg.slice(eq + 1);} else {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`flag '--${name}' needs a value ${spec.value}`);
      i++;
    }
    if (value === '') throw new UsageError(`flag '--${name}' has an empty value; give ${spec.value}`);
    out[name] = value;
  }
  for (const p of positionals) {
    if (p.required && out[p.name] === undefined) throw new UsageError(`'${command}' needs ${p.value}: ${p.description}`);
  }
  for (const s of specs) {
    if (out[s.name] === undefined && s.default !== undefined) out[s.name] = s.value ? s.default : s.default === 'true';
    if (s.required && out[s.name] === undefined) throw new UsageError(`flag '--${s.name} ${s.value}' is required for '${command}'`);
  }
  return out;
}

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** `127.0.0.1:5353`, `[::1]:5353`; the host must be an IP address. */
export function parseHostPort(flag: string, value: string): HostPort {
  const m = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d{1,5})$/.exec(value);
  if (!m) throw new UsageError(`--${flag} '${value}' is not host:port; write for example 127.0.0.1:5353 or [::1]:5353`);
  const host = m[1] ?? m[2];
  const port = Number(m[3]);
  if (port > 65535) throw new UsageError(`--${flag} '${value}': port ${port} is above 65535`);
  if (m[1] !== undefined ? !isIPv6(host) : !isIPv4(host)) {
    throw new UsageError(`--${flag} '${value}': '${host}' is not an IP address; give an address such as 127.0.0.1, or [::1] for IPv6`);
  }
  return { host, port };
}

/** A whole number within bounds, or a usage error naming the flag. */
export function parseInteger(flag: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new UsageError(`--${flag} '${value}' is not a whole number from ${min} to ${max}`);
  }
  return Number(value);
}

export function helpText(command: string, summary: string, specs: readonly FlagSpec[], positionals: readonly PositionalSpec[] = []): string {
  const rows = specs.map((s) => {
    const left = `  --${s.name}${s.value ? ` ${s.value}` : ''}`;
    const extra = s.required ? ' (required)' : s.default !== undefined ? ` (default ${s.default})` : '';
    // A description of several lines continues under its first.
    return `${left.padEnd(34)} ${s.description.split('\n').join(`\n${' '.repeat(35)}`)}${extra}`;
  });
  const args = positionals.map((p) => ` ${p.required ? p.value : `[${p.value}]`}`).join('');
  const argRows = positionals.map((p) => `  ${p.value.padEnd(32)} ${p.description}`);
  const argText = argRows.length > 0 ? `arguments:\n${argRows.join('\n')}\n\n` : '';
  return `usage: dns-failover ${command}${args} [flags]\n\n${summary}\n\n${argText}flags:\n${rows.join('\n')}\n  --help                           show this help\n`;
}
