/** `--rotate-artifacts N`: keep only the N most recent artifact dirs. */
import { join } from "../runtime/path.ts";

/** Pure choice: given dirs with mtimes, the ones to delete to keep `keep` newest. */
export function dirsToRotate(dirs: { name: string; mtime: number }[], keep: number): string[] {
  if (keep <= 0) return [];
  return [...dirs].sort((a, b) => b.mtime - a.mtime || a.name.localeCompare(b.name))
    .slice(keep).map((d) => d.name);
}

/** Removes the oldest artifact dirs under `base` beyond `keep`. */
export function rotateArtifacts(base: string, keep: number, log: (m: string) => void): void {
  const dirs: { name: string; mtime: number }[] = [];
  for (const e of Deno.readDirSync(base)) {
    if (!e.isDirectory) continue;
    const st = Deno.statSync(join(base, e.name));
    dirs.push({ name: e.name, mtime: st.mtime?.getTime() ?? 0 });
  }
  for (const name of dirsToRotate(dirs, keep)) {
    log(`rotating out artifact dir ${name}`);
    Deno.removeSync(join(base, name), { recursive: true });
  }
}
