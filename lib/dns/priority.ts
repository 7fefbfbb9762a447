/**
 * CPU priorities of a node with answering workers (`dns-failover serve --workers N`), so that work
 * which can wait never delays an answer when the processes share a core: the answering workers run at
 * the priority the node was started with, the primary (reports, verdicts, the admin API) a little
 * lower, and the work of a reload (the primary's validation, a new worker's compile while the old
 * workers answer, an old worker's exit) at the lowest priority (nice 19) until it is done.
 *
 * Going back up after the lowest priority (a compiled worker that is about to answer) is lowering a
 * nice value, which Linux allows only with CAP_SYS_NICE or an RLIMIT_NICE that reaches the value
 * (systemd: `LimitNICE=`). A process that could not go back changes nothing: every process then runs
 * at the priority it was started with (what the node did before), and the log line of the start says
 * so. Nothing here raises a priority above the one the node was started with.
 */
import * as fs from 'fs';
import * as os from 'os';

/** The nice values of each kind of work, or none when the node cannot return to its starting one. */
export interface Priorities {
  /** Answering workers: the nice value the node was started with. */
  readonly answering: number;
  /** The primary between reloads: reports and verdicts keep up under load, yielding to answers. */
  readonly primary: number;
  /** A reload's validation and compile: only when nothing else wants the core. */
  readonly background: number;
}

/** How much lower than the answering workers the primary runs (nice +10: about a tenth of a contended core's share). */
export const PRIMARY_NICE_OFFSET = 10;
/** The nice value of a reload's work. */
export const BACKGROUND_NICE = 19;
/** CAP_SYS_NICE's bit in /proc/<pid>/status CapEff. */
const CAP_SYS_NICE = 23;

/**
 * Whether a process whose /proc/self/status and /proc/self/limits read as given may set its nice value
 * back to `nice` after raising it: CAP_SYS_NICE in effect, or RLIMIT_NICE's soft limit at least
 * 20 - nice (the kernel's ceiling for lowering a nice value). Exported for tests.
 */
export function mayReturnTo(nice: number, status: string, limits: string): boolean {
  const cap = /^CapEff:\s*([0-9a-fA-F]+)\s*$/m.exec(status);
  if (cap && (parseInt(cap[1].slice(-8), 16) & (1 << CAP_SYS_NICE)) !== 0) return true;
  const limit = /^Max nice priority\s+(\S+)\s+/m.exec(limits);
  if (!limit) return false;
  const soft = limit[1] === 'unlimited' ? Infinity : Number(limit[1]);
  return soft >= 20 - nice;
}

/** Whether this process may return to `nice` after raising its nice value (Linux only; false elsewhere). */
export function canReturnTo(nice: number): boolean {
  if (process.platform !== 'linux') return false;
  try {
    const status = fs.readFileSync('/proc/self/status', 'utf8');
    const limits = fs.readFileSync('/proc/self/limits', 'utf8');
    if (!mayReturnTo(nice, status, limits)) return false;
    // A seccomp filter may still refuse setpriority (systemd's SystemCallFilter=~@resources): try it with the value in force.
    os.setPriority(os.getPriority());
    return true;
  } catch {
    return false;
  }
}

/**
 * The priorities for a node started at this process's nice value, or why every process keeps that
 * value (for the node's `started` log line).
 */
export function prioritiesOf(): Priorities | string {
  const answering = os.getPriority();
  if (answering >= BACKGROUND_NICE) return `unchanged: the node was started at nice ${answering}, nothing is lower`;
  if (process.platform !== 'linux') return 'unchanged: priorities are adjusted on Linux only';
  if (!canReturnTo(answering)) return `unchanged: no CAP_SYS_NICE, and RLIMIT_NICE does not let a worker back to nice ${answering} (systemd: LimitNICE=+${answering})`;
  return { answering, primary: Math.min(BACKGROUND_NICE - 1, answering + PRIMARY_NICE_OFFSET), background: BACKGROUND_NICE };
}

/** This process's nice value. */
export function niceOf(): number {
  return os.getPriority();
}

/** Sets this process's nice value; the error's message when the system refuses. */
export function setNice(nice: number): string | undefined {
  return setNiceOf(0, nice);
}

/** Sets the nice value of a process of ours (0: this one); the error's message when the system refuses. */
export function setNiceOf(pid: number, nice: number): string | undefined {
  try {
    os.setPriority(pid, nice);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
