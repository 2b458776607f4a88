/**
 * `--rotate-artifacts N`: keep only the N most recent artifact dirs, never one whose job is
 * still running. Jobs that share a private data dir run side by side (AWX starts them by the
 * thousand): a running job holds a shared `flock` on its artifact dir for as long as it runs,
 * and a rotation removes only dirs it can lock exclusively. The kernel drops the lock with the
 * process, so a runner that was killed leaves a dir that rotates out as usual. Nothing is added
 * to the dir: the lock is on the dir itself.
 * @module
 */
import { join } from "../runtime/path.ts";

/**
 * Marks `dir` as in use by a running job until the returned file is closed (or the process
 * ends). Null where the dir cannot be opened or is already locked exclusively (a rotation
 * that is removing it): the job goes on unmarked, as before rotation knew of running jobs.
 */
export function claimArtifactDir(dir: string): Deno.FsFile | null {
  let f: Deno.FsFile | null = null;
  try {
    f = Deno.openSync(dir, { read: true });
    if (f.tryLockSync(false)) return f;
  } catch { /* unmarked */ }
  f?.close();
  return null;
}

/**
 * Locks `dir` for its removal, the lock going with the returned file's close: "running" while a
 * job holds it, "gone" if another rotation removed it first, null where it cannot be opened
 * or locked (removed all the same, as before rotation knew of running jobs).
 */
function lockForRemoval(dir: string): Deno.FsFile | "running" | "gone" | null {
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
  return "running";
}

/**
 * Pure choice: given dirs with mtimes, the ones to delete to keep `keep` in all: the current
 * job's dir (`current`, never deleted, whatever its mtime says) and the newest others.
 */
export function dirsToRotate(
  dirs: { name: string; mtime: number }[],
  keep: number,
  current?: string,
): string[] {
  if (keep <= 0) return [];
  const others = dirs.filter((d) => d.name !== current);
  const keepOthers = others.length < dirs.length ? keep - 1 : keep;
  return others.sort((a, b) => b.mtime - a.mtime || a.name.localeCompare(b.name))
    .slice(keepOthers).map((d) => d.name);
}

/**
 * Removes the oldest artifact dirs under `base` beyond `keep`, never `current` and never one
 * whose job is still running (those count among the `keep` if they are among the newest). It
 * never fails the job: a dir that another job's rotation removed first is passed over, and one
 * that cannot be removed is logged and left.
 */
export function rotateArtifacts(
  base: string,
  keep: number,
  current: string,
  log: (m: string) => void,
): void {
  const dirs: { name: string; mtime: number }[] = [];
  try {
    for (const e of Deno.readDirSync(base)) {
      if (!e.isDirectory) continue;
      try {
        dirs.push({ name: e.name, mtime: Deno.statSync(join(base, e.name)).mtime?.getTime() ?? 0 });
      } catch { /* gone meanwhile */ }
    }
  } catch (e) {
    log(`cannot rotate the artifact dirs in ${base}: ${(e as Error).message}`);
    return;
  }
  for (const name of dirsToRotate(dirs, keep, current)) {
    const lock = lockForRemoval(join(base, name));
    if (lock === "gone") continue;
    if (lock === "running") {
      log(`leaving artifact dir ${name}: its job is still running`);
      continue;
    }
    log(`rotating out artifact dir ${name}`);
    try {
      Deno.removeSync(join(base, name), { recursive: true });
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) {
        log(`cannot rotate out artifact dir ${name}: ${(e as Error).message}`);
      }
    } finally {
      lock?.close();
    }
  }
}
