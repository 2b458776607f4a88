/**
 * `worker cleanup`: removes old private data dirs left on an execution node, and optionally
 * container images. Never a dir a job still runs from (ansible-runner 2.3 has its `pid` check
 * inverted), never a pattern that could reach a system directory.
 */
import { join } from "../runtime/path.ts";
import { isAlive } from "../exec/process_tree.ts";
import { lockUnclaimed } from "../job/artifact_claim.ts";
import { osError } from "../config/errors.ts";

/** Directories no pattern may ever be able to match. */
export const SYSTEM_DIRS = [
  "/",
  "/bin",
  "/boot",
  "/dev",
  "/etc",
  "/home",
  "/lib",
  "/lib64",
  "/mnt",
  "/opt",
  "/proc",
  "/root",
  "/run",
  "/sbin",
  "/srv",
  "/sys",
  "/tmp",
  "/usr",
  "/var",
];

/** A glob (`*`, `?`, `[…]`, no `**`) as a RegExp over whole paths. Pure. */
export function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const end = glob.indexOf("]", i + 2);
      if (end < 0) re += "\\[";
      else {
        const body = glob.slice(i + 1, end).replace(/^!/, "^").replace(/\\/g, "\\\\");
        re += `[${body}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(`^${re.replace(/\/+$/, "")}/?$`);
}

/** The system dirs `pattern` could match (empty when it is safe). Pure. */
export function systemDirsMatched(pattern: string): string[] {
  if (!pattern.startsWith("/")) return [];
  const re = globToRegExp(pattern.replace(/\/+/g, "/"));
  return SYSTEM_DIRS.filter((d) => re.test(d));
}

/** One candidate dir as seen on disk. */
export interface Candidate {
  path: string;
  mtimeMs: number;
}

/**
 * The dirs old enough and not excluded: to be removed unless a job still runs from them
 * (checked on disk after, as ansible-runner checks it last). Pure.
 */
export function selectForCleanup(
  candidates: Candidate[],
  opts: { nowMs: number; graceMinutes: number; exclude: string[] },
): string[] {
  return candidates.filter((c) =>
    !opts.exclude.some((s) => s && c.path.includes(s)) &&
    (opts.graceMinutes <= 0 || opts.nowMs - c.mtimeMs > opts.graceMinutes * 60_000)
  ).map((c) => c.path);
}

/** Expands a glob to the directories it matches. */
export function globDirs(pattern: string): string[] {
  const absolute = pattern.startsWith("/");
  const parts = pattern.split("/").filter(Boolean);
  let current = [absolute ? "/" : "."];
  for (const part of parts) {
    const next: string[] = [];
    const magic = /[*?[]/.test(part);
    const re = magic ? globToRegExp(part) : null;
    for (const dir of current) {
      if (!magic) {
        next.push(join(dir, part));
        continue;
      }
      try {
        for (const e of Deno.readDirSync(dir)) {
          if (re!.test(e.name) && (!e.name.startsWith(".") || part.startsWith("."))) {
            next.push(join(dir, e.name));
          }
        }
      } catch { /* unreadable or not a dir */ }
    }
    current = next;
  }
  return current.filter((p) => {
    try {
      return Deno.lstatSync(p).isDirectory;
    } catch {
      return false;
    }
  }).sort();
}

/**
 * Whether a job runs from `dir`: its `pid` file names a live process (`runner start`), or a job
 * holds its claim on `dir` or on an artifact dir in it (`run` and `worker` jobs write no pid
 * file, and a dir's mtime stops moving once its job has begun: a job running longer than the
 * grace period would otherwise be removed from under itself).
 */
function jobRunningIn(dir: string): boolean {
  if (pidRunning(dir)) return true;
  const dirs = [dir];
  try {
    for (const e of Deno.readDirSync(join(dir, "artifacts"))) {
      if (e.isDirectory) dirs.push(join(dir, "artifacts", e.name));
    }
  } catch { /* no artifacts */ }
  return dirs.some((d) => {
    const lock = lockUnclaimed(d);
    if (lock instanceof Deno.FsFile) lock.close();
    return lock === "claimed";
  });
}

function pidRunning(dir: string): boolean {
  let text: string;
  try {
    text = Deno.readTextFileSync(join(dir, "pid")).trim();
  } catch {
    return false;
  }
  return /^\d+$/.test(text) && isAlive(Number(text));
}

/** Options of {@link cleanup}. */
export interface CleanupOptions {
  filePattern?: string;
  exclude: string[];
  graceMinutes: number;
  removeImages: string[];
  imagePrune: boolean;
  engine: string;
  print: (line: string) => void;
  /** Where a dir that could not be removed is said (stderr). */
  warn: (line: string) => void;
}

/** Runs the cleanup; resolves to the exit code (1 when a dir could not be removed). */
export async function cleanup(o: CleanupOptions): Promise<number> {
  let changed = false;
  let failed = false;
  if (o.filePattern) {
    const hits = systemDirsMatched(o.filePattern);
    if (hits.length) {
      o.print(`Provided pattern could result in deleting system folders:\n${hits.join(" ")}`);
      o.print("Refusing to continue for user system safety.");
      return 1;
    }
    const candidates = globDirs(o.filePattern).flatMap((path) => {
      try {
        return [{ path, mtimeMs: Deno.statSync(path).mtime?.getTime() ?? 0 }];
      } catch {
        return []; // gone meanwhile
      }
    });
    const doomed = selectForCleanup(candidates, {
      nowMs: Date.now(),
      graceMinutes: o.graceMinutes,
      exclude: o.exclude,
    }).filter((path) => {
      if (!jobRunningIn(path)) return true;
      o.print(`Excluding running project ${path} from cleanup`);
      return false;
    });
    let removed = 0;
    for (const path of doomed) {
      try {
        await Deno.remove(path, { recursive: true });
        removed++;
      } catch (e) {
        if (e instanceof Deno.errors.NotFound) continue; // another cleanup was first
        // The others still go; the exit status says that one did not.
        failed = true;
        o.warn(`runner: cannot remove ${path}: ${osError((e as Error).message).reason}`);
      }
    }
    if (removed) {
      changed = true;
      o.print(`Removed ${removed} private data dir(s) in pattern ${o.filePattern}`);
    }
  }
  let removed = 0;
  for (const image of o.removeImages) {
    // Only the tag given: ansible-runner 2.3 removes every tag of the image it names.
    const r = await engine(o.engine, ["rmi", "--force", image]);
    if (r === null) return missingEngine(o);
    if (r.success) removed += imagesRemoved(r.stdout);
  }
  if (removed) {
    changed = true;
    o.print(`Removed ${removed} image(s)`);
  }
  if (o.imagePrune) {
    const r = await engine(o.engine, ["image", "prune", "--force"]);
    if (r === null) return missingEngine(o);
    if (r.success && pruned(r.stdout)) {
      changed = true;
      o.print("Pruned images");
    }
  }
  o.print(`(changed: ${changed ? "True" : "False"})`);
  return failed ? 1 : 0;
}

/**
 * How many images `rmi`'s output says went: one per tag untagged, or one for an image removed by
 * its id (a tag or id that is not there, which `--force` lets pass, gives nothing). Pure.
 */
export function imagesRemoved(rmiOutput: string): number {
  const lines = rmiOutput.split("\n").map((l) => l.trim());
  const untagged = lines.filter((l) => l.startsWith("Untagged:")).length;
  return untagged || (lines.some((l) => l.startsWith("Deleted:")) ? 1 : 0);
}

/** Whether `image prune`'s output says it removed anything (docker's says "…: 0B"). Pure. */
export function pruned(pruneOutput: string): boolean {
  const text = pruneOutput.trim();
  return text !== "" && text !== "Total reclaimed space: 0B";
}

function missingEngine(o: CleanupOptions): number {
  o.print(`cannot run '${o.engine}': it is not installed or not in PATH`);
  return 1;
}

async function engine(
  exe: string,
  args: string[],
): Promise<{ success: boolean; stdout: string } | null> {
  try {
    const out = await new Deno.Command(exe, { args, stdout: "piped", stderr: "piped" }).output();
    return { success: out.success, stdout: new TextDecoder().decode(out.stdout) };
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}
