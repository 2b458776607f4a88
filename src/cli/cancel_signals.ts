/**
 * The signals that cancel a job in the foreground (`run`, `worker`): SIGINT, SIGTERM, and SIGHUP,
 * the hang-up of a closed terminal or ssh session. Left to its default, SIGHUP would kill runner
 * at once: no status written, and the job's own background processes orphaned. A SIGHUP that
 * runner was started ignoring (`nohup runner run …`) is ignored, by a listener that does
 * nothing: Deno's runtime installs its own SIGHUP handler once timers run, and that one exits
 * (status 129) whatever the process inherited.
 * @module
 */

const SIGHUP = 1;

/** Whether signal `signo` is ignored according to a `/proc/<pid>/status` text. Pure. */
export function ignoredIn(status: string, signo: number): boolean {
  const mask = /^SigIgn:\s*([0-9a-fA-F]+)\s*$/m.exec(status);
  return mask !== null && ((BigInt(`0x${mask[1]}`) >> BigInt(signo - 1)) & 1n) === 1n;
}

/** Calls `cancel` on each cancel signal until the returned function is called. */
export function onCancelSignals(cancel: () => void): () => void {
  const hangUp = ignoredIn(Deno.readTextFileSync("/proc/self/status"), SIGHUP) ? () => {} : cancel;
  const listeners: [Deno.Signal, () => void][] = [
    ["SIGINT", cancel],
    ["SIGTERM", cancel],
    ["SIGHUP", hangUp],
  ];
  for (const [s, fn] of listeners) Deno.addSignalListener(s, fn);
  return () => {
    for (const [s, fn] of listeners) Deno.removeSignalListener(s, fn);
  };
}
