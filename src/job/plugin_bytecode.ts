/**
 * The callback plugin's Python bytecode, kept between jobs.
 *
 * Python compiles a module's source at every load unless a matching
 * `__pycache__/<name>.<tag>.pyc` lies beside it. runner writes its plugin afresh into each
 * job's artifact dir, so Ansible compiled it at every start: ~20M instructions, ~3–4 ms on
 * the job's critical path (a Python package's plugin ships compiled). runner now keeps the
 * bytecode in its cache dir, compiled once per interpreter by that interpreter, and copies it
 * beside each job's copy of the plugin. The bytecode is hash-checked: Python compares the hash
 * it holds with the source it sits beside before using it, so a stale file is ignored (the
 * source is compiled, as before). What that hash cannot tell, whose code it is, the ownership
 * check of {@link adoptBytecode} does.
 *
 * Cache: `$XDG_CACHE_HOME/runner/callback/<interpreter>/` (or `~/.cache/…`), dirs 0700, files
 * 0600; one dir per interpreter line of the job's `#!`, holding the source the bytecode was
 * made from. Nothing here can fail a job: an unusable cache only costs the compile.
 */
import { isAbsolute, join } from "../runtime/path.ts";
import { writePrivateFile } from "../sinks/artifacts.ts";
import { after } from "../runtime/timer.ts";

const PLUGIN = "awx_display";
/** Compiles argv[1] into hash-checked bytecode beside it (Python ≥ 3.7). */
const COMPILE = "import py_compile, sys; py_compile.compile(sys.argv[1], doraise=True, " +
  "invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH)";
/** A compile that takes longer than this is abandoned (it normally takes ~30 ms). */
const COMPILE_LIMIT_MS = 10_000;

/**
 * The interpreter a script's `#!` line names, when it is Python (`/usr/bin/python3`,
 * `/usr/bin/env python3`, with or without options); null otherwise. Pure.
 */
export function pythonShebang(head: string): string[] | null {
  if (!head.startsWith("#!")) return null;
  const line = head.slice(2).split("\n", 1)[0].trim();
  const argv = line.split(/\s+/).filter(Boolean);
  if (!argv.length || !isAbsolute(argv[0])) return null;
  const base = (p: string) => p.slice(p.lastIndexOf("/") + 1);
  const program = base(argv[0]) === "env"
    ? argv.find((a, i) => i > 0 && !a.startsWith("-"))
    : argv[0];
  return program !== undefined && /^python[\d.]*$/.test(base(program)) ? argv : null;
}

/** Where bytecode for `interpreter` is kept, from runner's own environment; null without one. Pure. */
export function bytecodeCacheDir(
  env: Record<string, string | undefined>,
  interpreter: string[],
): string | null {
  const xdg = env.XDG_CACHE_HOME;
  // The XDG spec: a relative XDG_CACHE_HOME is to be ignored.
  const base = xdg && isAbsolute(xdg)
    ? xdg
    : env.HOME && isAbsolute(env.HOME)
    ? join(env.HOME, ".cache")
    : null;
  return base && join(base, "runner", "callback", encodeURIComponent(interpreter.join(" ")));
}

/** The Python interpreter of the executable `file` (its `#!` line), or null. */
export function interpreterOf(file: string): string[] | null {
  try {
    const f = Deno.openSync(file);
    try {
      const head = new Uint8Array(256);
      const n = f.readSync(head) ?? 0;
      return pythonShebang(new TextDecoder().decode(head.subarray(0, n)));
    } finally {
      f.close();
    }
  } catch {
    return null;
  }
}

/**
 * Copies the cached bytecode of `source` into `pluginDir/__pycache__`; false when the cache
 * holds none for this source (then {@link compileBytecode} should make it).
 *
 * Python checks bytecode against the source's hash, not against what the code does, so only
 * files this user owns and nobody else may write are taken (checked on the open file: a file
 * swapped in after the check is not the one read). A cache under a dir that others can write,
 * through a shared XDG_CACHE_HOME, cannot hand a job someone else's code.
 */
export function adoptBytecode(cacheDir: string, pluginDir: string, source: string): boolean {
  try {
    if (Deno.readTextFileSync(join(cacheDir, `${PLUGIN}.py`)) !== source) return false;
    const pycs: [string, Uint8Array][] = [];
    for (const e of Deno.readDirSync(join(cacheDir, "__pycache__"))) {
      if (!e.isFile || !e.name.startsWith(`${PLUGIN}.`) || !e.name.endsWith(".pyc")) continue;
      const bytes = readOwnFile(join(cacheDir, "__pycache__", e.name));
      if (bytes) pycs.push([e.name, bytes]);
    }
    if (!pycs.length) return false;
    Deno.mkdirSync(join(pluginDir, "__pycache__"), { mode: 0o700 });
    for (const [name, bytes] of pycs) writePrivateFile(join(pluginDir, "__pycache__", name), bytes);
    return true;
  } catch {
    return false;
  }
}

/** The file's bytes if this user owns it and no one else may write it; else null. */
function readOwnFile(path: string): Uint8Array | null {
  const f = Deno.openSync(path);
  try {
    const st = f.statSync();
    if (st.uid !== Deno.uid() || ((st.mode ?? 0o777) & 0o022) !== 0) return null;
    const out = new Uint8Array(st.size);
    for (let n = 0; n < out.length;) {
      const r = f.readSync(out.subarray(n));
      if (r === null) return null; // shrank while read: another writer
      n += r;
    }
    return out;
  } finally {
    f.close();
  }
}

/**
 * Compiles `source` with `interpreter` into the cache, for the jobs that follow. Runs beside
 * the job (start it after the job's spawn); resolves when done, never rejects. `jobPath` is the
 * job's PATH, so that an `env python3` line finds the job's Python; nothing else of the job's
 * environment goes along (its process marker would make the compile one of the job's processes,
 * to be killed with them). `onSpawn` learns the compile's pid (runner's own child, not the job's).
 */
export async function compileBytecode(
  cacheDir: string,
  source: string,
  interpreter: string[],
  jobPath: string | undefined,
  log: (msg: string) => void,
  onSpawn: (pid: number) => void = () => {},
): Promise<void> {
  const path = join(cacheDir, `${PLUGIN}.py`);
  let cancelLimit = () => {};
  try {
    // Python would make __pycache__ with the umask's mode.
    Deno.mkdirSync(join(cacheDir, "__pycache__"), { recursive: true, mode: 0o700 });
    writePrivateFile(path, source);
    // -I: the user's PYTHON* variables and site dirs cannot change what is compiled.
    const child = new Deno.Command(interpreter[0], {
      args: [...interpreter.slice(1), "-I", "-c", COMPILE, path],
      env: jobPath === undefined ? {} : { PATH: jobPath },
      clearEnv: true,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    onSpawn(child.pid);
    cancelLimit = after(COMPILE_LIMIT_MS, () => {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
    });
    const { code, stderr } = await child.output();
    log(
      code === 0
        ? `callback bytecode compiled into ${cacheDir}`
        : `callback bytecode not compiled (exit ${code}): ${
          new TextDecoder().decode(stderr).trim()
        }`,
    );
  } catch (e) {
    log(`callback bytecode not cached in ${cacheDir}: ${(e as Error).message}`);
  } finally {
    cancelLimit();
  }
}
