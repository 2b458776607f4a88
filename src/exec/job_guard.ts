/**
 * A watchdog for a job whose runner is killed outright (SIGKILL, the OOM killer, Receptor's
 * SIGKILL after a cancel that took too long): runner cannot clean up then, and what the job left
 * in the background would run on. The guard is a small shell reading a pipe that only runner
 * holds open. When the job is over and cleaned up, runner sends it SIGUSR1 and it exits; if the
 * pipe reaches end of file first, runner is gone, and the guard kills every process whose
 * environment carries the job's marker (a random id per job, so nothing else matches), then
 * removes the job's temp dirs (a sandbox's, a project copy, a registry login's credentials).
 * @module
 */
import { JOB_MARKER_ENV } from "./process_tree.ts";

/** The guard's script; $1 is the marker's `NAME=value`, the rest temp dirs. Pure text. */
export const GUARD_SCRIPT = `trap 'exit 0' USR1
trap '' HUP INT TERM QUIT
read -r _
marker=$1
shift
for round in 1 2 3 4 5; do
  pids=$(grep -lsaxzF -- "$marker" /proc/[0-9]*/environ | cut -d/ -f3)
  [ -n "$pids" ] || break
  kill -9 $pids 2>/dev/null
  sleep 0.2
done
[ $# -eq 0 ] || rm -rf -- "$@"`;

/** A running guard. */
export interface JobGuard {
  /** Its pid (a child of runner's that is not the job's). */
  pid: number;
  /** Tells the guard the job is cleaned up: it exits without looking. */
  release(): void;
}

/**
 * Starts the guard of the job with `marker`, with nothing of the job's environment (so it
 * carries no marker itself); `temps` are removed should runner die first. Null if it cannot
 * start: the job runs unguarded.
 */
export function startGuard(marker: string, temps: readonly string[] = []): JobGuard | null {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("/bin/sh", {
      args: ["-c", GUARD_SCRIPT, "runner-guard", `${JOB_MARKER_ENV}=${marker}`, ...temps],
      clearEnv: true,
      env: { PATH: "/usr/bin:/bin" },
      stdin: "piped", // never written: its end of file is runner's death
      stdout: "null",
      stderr: "null",
    }).spawn();
  } catch {
    return null;
  }
  child.unref(); // runner's exit never waits for it
  return {
    pid: child.pid,
    release() {
      try {
        child.kill("SIGUSR1");
      } catch { /* already gone */ }
    },
  };
}
