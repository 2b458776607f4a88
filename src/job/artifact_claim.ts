/**
 * A running job's claim on its artifact dir. Jobs that share a private data dir run side by
 * side (AWX starts them by the thousand), and both `--rotate-artifacts` and `worker cleanup`
 * remove dirs: neither may remove one whose job is still running. A job holds an exclusive
 * `flock` on its artifact dir for as long as it runs (from before it clears an earlier run's
 * outcome: a conversion to a shared lock would not be atomic, a moment with no lock at all); a
 * remover takes only dirs it can lock. The kernel drops the lock with the process, so the dir
 * of a runner that was killed goes as usual. Nothing is added to the dir: the lock is on the
 * dir itself. The same lock keeps a second job with the ident of a running one out of its dir.
 * @module
 */
import { sleep } from "../runtime/timer.ts";

const CLAIM_ATTEMPTS = 5;

/**
 * Marks `dir` as in use by a running job until the returned file is closed (or the process
 * ends). "in use" where another job holds it (one with the same ident is running, or a
 * rotation is removing it): two jobs in one dir mix their events and outputs. Null where the
 * dir cannot be opened or locked (a file system without locks): the job goes on unmarked.
 *
 * A dir that an earlier run with the same ident left behind loses that run's outcome first
 * (`job_events/`, `status`, `rc`), under the exclusive lock: the new run's events would sit
 * beside the old ones with the same counters (as with ansible-runner), and its old status
 * would show while the new run goes on. What else is there stays (a fact cache put there for
 * the job, as AWX does).
 */
export async function claimArtifactDir(dir: string): Promise<Deno.FsFile | "in use" | null> {
  let f: Deno.FsFile;
  try {
    f = Deno.openSync(dir, { read: true });
  } catch {
    return null;
  }
  try {
    // A rotation's or a cleanup's look at the dir holds it for an instant; a running job holds
    // it for good.
    for (let attempt = 1; !f.tryLockSync(true); attempt++) {
      if (attempt === CLAIM_ATTEMPTS) {
        f.close();
        return "in use";
      }
      await sleep(20);
    }
    for (const name of ["job_events", "status", "rc"]) {
      try {
        Deno.removeSync(`${dir}/${name}`, { recursive: true });
      } catch { /* not there */ }
    }
    return f;
  } catch {
    f.close();
    return null;
  }
}

/**
 * Locks `dir` for its removal, the lock going with the returned file's close: "claimed" while a
 * job holds it, "gone" if it is not there (removed by another rotation first), null where it
 * cannot be opened or locked (to be removed all the same, as before jobs claimed their dirs).
 */
export function lockUnclaimed(dir: string): Deno.FsFile | "claimed" | "gone" | null {
  let f: Deno.FsFile;
  try {
    f = Deno.openSync(dir, { read: true });
  } catch (e) {
    return e instanceof Deno.errors.NotFound ? "gone" : null;
  }
  try {
    if (f.tryLockSync(true)) return f;
  } catch {
    f.close();
    return null; // a file system without locks
  }
  f.close();
  return "claimed";
}
