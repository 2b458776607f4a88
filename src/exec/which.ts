/** Finding an executable the way the job's own PATH would. */
import { isAbsolute, join, resolve } from "../runtime/path.ts";

function isExecutableFile(path: string): boolean {
  try {
    const st = Deno.statSync(path);
    return st.isFile && ((st.mode ?? 0) & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** Resolves `name` against `path` (the job's PATH); null when there is no such program. */
export function which(name: string, path: string | undefined, cwd: string): string | null {
  if (name.includes("/")) {
    const full = isAbsolute(name) ? name : resolve(cwd, name);
    return isExecutableFile(full) ? full : null;
  }
  for (const dir of (path ?? "/usr/local/bin:/usr/bin:/bin").split(":")) {
    const candidate = join(dir || ".", name);
    if (isExecutableFile(candidate)) {
      return isAbsolute(candidate) ? candidate : resolve(cwd, candidate);
    }
  }
  return null;
}

/**
 * Why {@link which} found nothing for `name`, in words: for a path, that nothing is there or
 * what is there instead; for a bare name, which PATH was searched.
 */
export function whyNotFound(name: string, path: string | undefined, cwd: string): string {
  if (!name.includes("/")) return `no such executable in PATH (${path ?? ""})`;
  const full = isAbsolute(name) ? name : resolve(cwd, name);
  let st: Deno.FileInfo;
  try {
    st = Deno.statSync(full);
  } catch {
    return `no such file (${full})`;
  }
  if (st.isDirectory) return `${full} is a directory`;
  if (!st.isFile) return `${full} is not a regular file`;
  return `${full} is not executable (mode ${
    ((st.mode ?? 0) & 0o777).toString(8).padStart(4, "0")
  })`;
}
