/**
 * Directory isolation: the project is copied into a fresh directory under a base path and the
 * job runs there, so jobs sharing a private data dir never see each other's working files.
 */
import { join } from "../runtime/path.ts";

/** Copies `src` into `dst` (which exists): files with their modes and mtimes, symlinks as links. */
export function copyTree(src: string, dst: string): void {
  for (const e of Deno.readDirSync(src)) {
    const from = join(src, e.name);
    const to = join(dst, e.name);
    const info = Deno.lstatSync(from);
    if (info.isSymlink) Deno.symlinkSync(Deno.readLinkSync(from), to);
    else if (info.isDirectory) {
      Deno.mkdirSync(to, { mode: (info.mode ?? 0o755) & 0o7777 });
      copyTree(from, to);
      Deno.chmodSync(to, (info.mode ?? 0o755) & 0o7777);
    } else if (info.isFile) {
      Deno.copyFileSync(from, to);
      if (info.mtime) Deno.utimeSync(to, info.atime ?? info.mtime, info.mtime);
    }
  }
}

/** Makes `<base>/runner_di_XXXX` (0700), copies the project into it, and returns its path. */
export function isolateProject(base: string, projectDir: string): string {
  const dir = Deno.makeTempDirSync({ dir: base, prefix: "runner_di_" });
  Deno.chmodSync(dir, 0o700);
  try {
    copyTree(projectDir, dir);
  } catch (e) {
    Deno.removeSync(dir, { recursive: true });
    throw e;
  }
  return dir;
}
