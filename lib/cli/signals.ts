/**
 * Signal handling for long-running subcommands. Handlers are installed before the command starts
 * its work, so a SIGTERM or SIGINT that arrives during startup (after the process has said nothing
 * yet, or just "started") is kept and acted on as soon as the command can stop, instead of killing
 * the process with the default action. SIGHUP before the command is ready is ignored (there is
 * nothing to reload yet).
 */
export type StopSignal = 'SIGTERM' | 'SIGINT';

export class SignalLatch {
  private pending?: StopSignal;
  private stopFn?: (signal: StopSignal) => void;
  private hupFn?: () => void;
  private readonly onTerm: () => void;
  private readonly onInt: () => void;
  private readonly onHup: () => void;

  constructor() {
    this.onTerm = () => this.fire('SIGTERM');
    this.onInt = () => this.fire('SIGINT');
    this.onHup = () => this.hupFn?.();
    process.on('SIGTERM', this.onTerm);
    process.on('SIGINT', this.onInt);
    process.on('SIGHUP', this.onHup);
  }

  /** From now on, SIGTERM and SIGINT call `stop` (at once for one that already arrived), SIGHUP calls `hup`. */
  attach(stop: (signal: StopSignal) => void, hup: () => void): void {
    this.stopFn = stop;
    this.hupFn = hup;
    if (this.pending) stop(this.pending);
  }

  /** Removes the handlers. */
  dispose(): void {
    process.off('SIGTERM', this.onTerm);
    process.off('SIGINT', this.onInt);
    process.off('SIGHUP', this.onHup);
  }

  private fire(signal: StopSignal): void {
    if (this.stopFn) this.stopFn(signal);
    else this.pending ??= signal;
  }
}
