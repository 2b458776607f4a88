/**
 * Timers on the web platform's `AbortSignal.timeout`. Deno's global `setTimeout` is Node's
 * (it returns a `Timeout` object), and its first call loads the Node compatibility layer:
 * ~6 MiB and ~10 ms before a job can start. A timeout signal keeps the process alive while it
 * has a listener, as a pending `setTimeout` does, and lets it go once the listener is removed.
 * @module
 */

/** Calls `fn` once after `ms` milliseconds; returns a function that cancels it. */
export function after(ms: number, fn: () => void): () => void {
  const signal = AbortSignal.timeout(Math.max(0, Math.round(ms)));
  const listener = () => fn();
  signal.addEventListener("abort", listener, { once: true });
  return () => signal.removeEventListener("abort", listener);
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    after(ms, resolve);
  });
}

/** Calls `fn` every `ms` milliseconds until the returned function is called. */
export function every(ms: number, fn: () => void): () => void {
  let stopped = false;
  let cancel = () => {};
  const tick = () => {
    if (stopped) return;
    cancel = after(ms, tick);
    fn();
  };
  cancel = after(ms, tick);
  return () => {
    stopped = true;
    cancel();
  };
}

/**
 * Milliseconds on a clock that only goes forward, for timeouts, idle times and intervals. The
 * wall clock (`Date.now()`) is stepped by NTP or by a VM's resume: forward, it would end a job
 * at once as `timeout`; back, it would hold off its timeouts and keepalives by as much.
 */
export function monotonicMs(): number {
  return performance.now();
}
