/**
 * The subcommands of `dns-failover`, by name. A new subcommand (check, up, verify) is one more
 * module exporting a {@link Command} and one more entry here.
 */
import { checkCommand } from './check';
import { Command } from './command';
import { serveCommand } from './serve';
import { upCommand } from './up';
import { verifyCommand } from './verify';

export const COMMANDS: readonly Command[] = [serveCommand, checkCommand, upCommand, verifyCommand];
