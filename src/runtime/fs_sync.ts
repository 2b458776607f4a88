/**
 * Synchronous file-system checks. A job's start waits on them, and each asynchronous call costs
 * a trip through Deno's thread pool.
 * @module
 */

/** Whether `path` is a directory (following symlinks). */
export function isDir(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

/** Whether anything, even a dangling symlink, is at `path`. */
export function existsSync(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Where Deno.makeTempDir makes its dirs (TMPDIR, else /tmp): named when it cannot. */
export function tempDirBase(): string {
  return Deno.env.get("TMPDIR") || "/tmp";
}
