/** Dispatch of `dns-failover <command> [flags]`. */
import { helpText, parseFlags, UsageError } from './args';
import { CliIo, Command } from './command';
import { COMMANDS } from './commands';

export function usage(commands: readonly Command[] = COMMANDS): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  const rows = commands.map((c) => `  ${c.name.padEnd(width)} ${c.summary.split('\n')[0]}`);
  return `usage: dns-failover <command> [flags]\n\ncommands:\n${rows.join('\n')}\n\n'dns-failover <command> --help' shows a command's flags.\n`;
}

/** Runs the CLI; resolves with the exit code (0 ok, 1 failure, 2 usage error). */
export async function runCli(argv: readonly string[], io: CliIo, commands: readonly Command[] = COMMANDS): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.err : io.out)(usage(commands).trimEnd());
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.err(`dns-failover: unknown command '${name}'; the commands are ${commands.map((c) => c.name).join(', ')} (see 'dns-failover --help')`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(helpText(command.name, command.summary, command.flags, command.positionals).trimEnd());
    return 0;
  }
  try {
    const flags = parseFlags(command.name, command.flags, rest, command.positionals);
    return await command.run(flags, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`dns-failover ${command.name}: ${e.message}`);
      return 2;
    }
    throw e;
  }
}
