/**
 * `dns-failover up <bundle>`: the embedded default. One process runs a DNS node serving the bundle
 * and one checker per region of the bundle, pushing signed reports to the node, with a live view in
 * the terminal (change lines when stdout is not a terminal), the admin API and its status page.
 * SIGHUP re-reads the bundle config; SIGTERM and SIGINT stop everything, exit code 0.
 */
import { parseHostPort, UsageError } from './args';
import { Command } from './command';
import { DEFAULT_ADMIN, DEFAULT_LISTEN } from './serve';
import { UpSession } from '../up/session';
import { UpView, ViewMode } from '../up/view';

export const upCommand: Command = {
  name: 'up',
  summary: 'Run a bundle on this machine: one DNS node and one checker per region in one process, reports signed\nwith a key per checker made up for the run, a live view, the admin API and a status page (http://<admin>/).',
  positionals: [{ name: 'bundle', value: '<bundle>', description: 'a bundle directory (SelfHostedStack.synth) or its config.json', required: true }],
  flags: [
    { name: 'listen', value: '<host:port>', description: 'DNS address, UDP and TCP (port 0: any free port)', default: DEFAULT_LISTEN },
    { name: 'admin', value: '<host:port>', description: 'admin API and status page address (HTTP)', default: DEFAULT_ADMIN },
    { name: 'view', value: '<live|lines|auto>', description: 'live: redraw one screen; lines: one line per change; auto: live on a terminal', default: 'auto' },
  ],
  async run(flags, io): Promise<number> {
    const dns = parseHostPort('listen', String(flags.listen));
    const admin = parseHostPort('admin', String(flags.admin));
    const viewFlag = String(flags.view);
    if (!['live', 'lines', 'auto'].includes(viewFlag)) throw new UsageError(`--view '${viewFlag}' is not live, lines or auto`);
    const mode: ViewMode = viewFlag === 'auto' ? (process.stdout.isTTY ? 'live' : 'lines') : (viewFlag as ViewMode);
    const view = new UpView({
      mode,
      // The live view positions the cursor itself: write it as is.
      write: mode === 'live' ? (text) => process.stdout.write(text) : (text) => io.out(text.replace(/\n$/, '')),
      columns: () => process.stdout.columns ?? 100,
    });

    // Signals are taken before startup, so that a SIGTERM during startup is not lost.
    let stopRequested: string | undefined;
    let wake: (() => void) | undefined;
    const onStop = (signal: string) => {
      stopRequested = signal;
      wake?.();
    };
    const onTerm = () => onStop('SIGTERM');
    const onInt = () => onStop('SIGINT');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
    let session: UpSession | undefined;
    const onHup = () => {
      void session?.reload();
    };
    process.on('SIGHUP', onHup);
    try {
      try {
        session = await UpSession.start({ bundle: String(flags.bundle), dns, admin, onEvent: view.onEvent });
      } catch (e) {
        io.err(`dns-failover up: ${(e as Error).message}`);
        return 1;
      }
      view.start(session);
      if (stopRequested === undefined) await new Promise<void>((resolve) => (wake = resolve));
      view.stop();
      await session.stop();
      if (mode === 'lines') io.out(`stopped (${stopRequested})`);
      return 0;
    } finally {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      process.off('SIGHUP', onHup);
    }
  },
};
