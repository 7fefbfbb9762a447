/**
 * Cancelling the probes in flight when a checker stops. The scheduler hands every probe the same
 * AbortSignal; listening on it per probe (`addEventListener` and `removeEventListener` of
 * EventTarget) cost several percent of the checker's CPU at a few thousand probes per second. So a
 * signal gets one listener, and the probes of that signal sit in a Set it cancels at once.
 */

export interface Cancellable {
  /** Ends the work at once (its sockets and timers released) with a "cancelled" outcome. */
  cancel(): void;
}

const watched = new WeakMap<AbortSignal, Set<Cancellable>>();

/** Cancels `c` when `signal` aborts (until {@link unwatch}). The caller checks `signal.aborted` first. */
export function watch(signal: AbortSignal, c: Cancellable): void {
  let set = watched.get(signal);
  if (set === undefined) {
    const probes = new Set<Cancellable>();
    set = probes;
    watched.set(signal, probes);
    signal.addEventListener('abort', () => {
      const all = [...probes];
      probes.clear();
      for (const p of all) p.cancel();
    }, { once: true });
  }
  set.add(c);
}

export function unwatch(signal: AbortSignal, c: Cancellable): void {
  watched.get(signal)?.delete(c);
}
