/**
 * A watchdog for a job whose runner is killed outright (SIGKILL, the OOM killer, Receptor's
 * SIGKILL after a cancel that took too long): runner cannot clean up then, and what the job left
 * in the background would run on. The guard is a small shell reading a pipe that only runner
 * holds open. When the job is over and cleaned up, runner sends it SIGUSR1 and it exits; if the
 * pipe reaches end of file first, runner is gone, and the guard kills every process whose
 * environment carries the job's marker (a random id per job, so nothing else matches) or that
 * is still in the job's session (a process that cleared its environment, `env -i … &`), then
 * removes the job's temp dirs (a sandbox's, a project copy, a registry login's credentials).
 * @module
 */
import { JOB_MARKER_ENV } from "./process_tree.ts";

/**
 * The guard's script; $1 is the marker's `NAME=value`, $2 the job's session (its leader's pid),
 * $3 the leader's start time (clock ticks since boot, 0 if unknown), the rest temp dirs. Pure
 * text.
 *
 * A session's number is not given to another process while any process is in that session; so
 * the session is still the job's unless a process with that pid leads a session and started
 * at another time than the job's leader (the job's session ended and its number was reused).
 */
export const GUARD_SCRIPT = `trap 'exit 0' USR1
trap '' HUP INT TERM QUIT
read -r _
marker=$1 sid=$2 born=$3
shift 3
# The fields of a /proc/PID/stat line after its command name (which may hold spaces).
fields() { state=$1 sess=$4 start=\${20}; }
ours=yes
if read -r l 2>/dev/null < "/proc/$sid/stat"; then
  fields \${l##*) }
  [ "$sess" != "$sid" ] || [ "$start" = "$born" ] || ours=no
fi
for round in 1 2 3 4 5; do
  pids=$(grep -lsaxzF -- "$marker" /proc/[0-9]*/environ | cut -d/ -f3)
  if [ $ours = yes ]; then
    for f in /proc/[0-9]*/stat; do
      read -r l 2>/dev/null < "$f" || continue
      fields \${l##*) }
      [ "$sess" = "$sid" ] && [ "$state" != Z ] || continue # a zombie is only to be reaped
      p=\${f#/proc/}
      pids="$pids \${p%/stat}"
    done
  fi
  case $pids in *[0-9]*) ;; *) break ;; esac
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

/** The job's leader, whose session the guard ends: its pid and start time (null if gone). */
export interface JobLeader {
  pid: number;
  start: number | null;
}

/**
 * Starts the guard of the job with `marker` and `leader`, with nothing of the job's
 * environment (so it carries no marker itself); `temps` are removed should runner die first.
 * Null if it cannot start: the job runs unguarded.
 */
export function startGuard(
  marker: string,
  leader: JobLeader,
  temps: readonly string[] = [],
): JobGuard | null {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("/bin/sh", {
      args: [
        "-c",
        GUARD_SCRIPT,
        "runner-guard",
        `${JOB_MARKER_ENV}=${marker}`,
        String(leader.pid),
        String(leader.start ?? 0),
        ...temps,
      ],
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
