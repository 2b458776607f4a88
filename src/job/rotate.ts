/**
 * `--rotate-artifacts N`: keep only the N most recent artifact dirs, never one whose job is
 * still running (see `artifact_claim.ts`).
 * @module
 */
import { join } from "../runtime/path.ts";
import { lockUnclaimed } from "./artifact_claim.ts";

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
    const lock = lockUnclaimed(join(base, name));
    if (lock === "gone") continue;
    if (lock === "claimed") {
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
