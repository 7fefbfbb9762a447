/** What every `dns-failover` subcommand looks like. */
import { FlagSpec, PositionalSpec } from './args';

export interface CliIo {
  /** One line to standard output (events are JSON lines). */
  out(line: string): void;
  /** One line to standard error (usage errors, human-readable failures). */
  err(line: string): void;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly flags: readonly FlagSpec[];
  /** Positional arguments, in order. @default - none */
  readonly positionals?: readonly PositionalSpec[];
  /**
   * Runs the command. Resolves with the exit code once the command is done; a long-running command
   * (serve) resolves when it has stopped.
   */
  run(flags: Record<string, string | boolean | undefined>, io: CliIo): Promise<number>;
}

/** One event as one JSON line: `{"time": ISO-8601, "event": name, ...fields}`. */
export function eventLine(event: { readonly event: string; readonly [key: string]: unknown }): string {
  return JSON.stringify({ time: new Date().toISOString(), ...event });
}
