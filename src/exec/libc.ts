/**
 * The few glibc calls runner needs and Deno does not offer: pseudo-terminals, posix_spawn
 * with a new session, waitpid, prctl, mkfifo, and whether a locale is installed. Loaded lazily so that commands that never run a job
 * (`--version`, `transmit`) need no FFI permission.
 *
 * Deno compiles a fast-call trampoline for every synchronous symbol `Deno.dlopen` binds
 * (~0.1 ms each, and ~0.7 ms for the first of a process). Done for all of them, that was
 * 4 ms between runner's start and the job's. So the calls made once per job go through
 * `Deno.UnsafeFnPointer` on the symbols' addresses (no compilation, ~3 µs a call), and only
 * the calls made per read or loop turn are bound with trampolines, at their first use, which
 * comes after the job has started.
 */

/** Calls made a few times per job: the pty, the spawn, the subreaper flag, the key's FIFO. */
const ONCE = {
  posix_openpt: { parameters: ["i32"], result: "i32" },
  grantpt: { parameters: ["i32"], result: "i32" },
  unlockpt: { parameters: ["i32"], result: "i32" },
  ptsname_r: { parameters: ["i32", "buffer", "usize"], result: "i32" },
  open: { parameters: ["buffer", "i32", "u32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  fcntl: { parameters: ["i32", "i32", "i32"], result: "i32" },
  ioctl: { parameters: ["i32", "u64", "buffer"], result: "i32" },
  tcgetattr: { parameters: ["i32", "buffer"], result: "i32" },
  tcsetattr: { parameters: ["i32", "i32", "buffer"], result: "i32" },
  prctl: { parameters: ["i32", "u64", "u64", "u64", "u64"], result: "i32" },
  mkfifo: { parameters: ["buffer", "u32"], result: "i32" },
  sigfillset: { parameters: ["buffer"], result: "i32" },
  sigemptyset: { parameters: ["buffer"], result: "i32" },
  posix_spawn: {
    parameters: ["buffer", "buffer", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  posix_spawn_file_actions_init: { parameters: ["buffer"], result: "i32" },
  posix_spawn_file_actions_destroy: { parameters: ["buffer"], result: "i32" },
  posix_spawn_file_actions_addopen: {
    parameters: ["buffer", "i32", "buffer", "i32", "u32"],
    result: "i32",
  },
  posix_spawn_file_actions_adddup2: { parameters: ["buffer", "i32", "i32"], result: "i32" },
  posix_spawn_file_actions_addchdir_np: { parameters: ["buffer", "buffer"], result: "i32" },
  posix_spawnattr_init: { parameters: ["buffer"], result: "i32" },
  posix_spawnattr_destroy: { parameters: ["buffer"], result: "i32" },
  posix_spawnattr_setflags: { parameters: ["buffer", "i16"], result: "i32" },
  posix_spawnattr_setsigdefault: { parameters: ["buffer", "buffer"], result: "i32" },
  posix_spawnattr_setsigmask: { parameters: ["buffer", "buffer"], result: "i32" },
  // For pidfd_open, which glibc wraps only from 2.36 on.
  syscall: { parameters: ["i64", "i64", "i64"], result: "i64" },
  newlocale: { parameters: ["i32", "buffer", "pointer"], result: "pointer" },
  freelocale: { parameters: ["pointer"], result: "void" },
} as const;

/** Calls made for every read of the job's output or turn of its loop. */
const LOOP = {
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32", nonblocking: true },
  waitpid: { parameters: ["i32", "buffer", "i32"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

/** The calls made once per job. */
export type Libc = { [K in keyof typeof ONCE]: Deno.UnsafeFnPointer<(typeof ONCE)[K]>["call"] };
/** The calls made per read or loop turn. */
export type LoopLibc = Deno.DynamicLibrary<typeof LOOP>["symbols"];

const LIBC = "libc.so.6";
let once: Libc | null = null;
let loop: Deno.DynamicLibrary<typeof LOOP> | null = null;

/** glibc's calls made once per job (bound without trampolines; see the module's note). */
export function libc(): Libc {
  if (once) return once;
  const addresses = Object.fromEntries(
    Object.keys(ONCE).map((name) => [name, { type: "pointer" as const }]),
  );
  const found = Deno.dlopen(LIBC, addresses).symbols as Record<string, Deno.PointerValue>;
  const calls: Record<string, unknown> = {};
  for (const [name, def] of Object.entries(ONCE) as [string, Deno.ForeignFunction][]) {
    const fn = new Deno.UnsafeFnPointer(found[name] as Deno.PointerObject<typeof def>, def);
    calls[name] = fn.call.bind(fn);
  }
  return once = calls as Libc;
}

/** glibc's calls made per read or loop turn (fast calls, bound at their first use). */
export function loopLibc(): LoopLibc {
  loop ??= Deno.dlopen(LIBC, LOOP);
  return loop.symbols;
}

/** LC_CTYPE's bit in newlocale's category mask. */
const LC_CTYPE_MASK = 1;

/** Whether this system has the locale `name` (its character type part), as setlocale would. */
export function localeAvailable(name: string): boolean {
  const c = libc();
  const loc = c.newlocale(LC_CTYPE_MASK, cstr(name), null);
  if (loc === null) return false;
  c.freelocale(loc);
  return true;
}

/** The calling thread's errno (valid right after a failed call). */
export function errno(): number {
  const p = loopLibc().__errno_location();
  return p ? new Deno.UnsafePointerView(p).getInt32() : 0;
}

/** A NUL-terminated C string. */
export function cstr(s: string): Uint8Array<ArrayBuffer> {
  const bytes = new TextEncoder().encode(s);
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  return out;
}

/** A NULL-terminated array of pointers to C strings; keep `keep` alive while it is used. */
export function cstrArray(
  items: string[],
): { array: BigUint64Array<ArrayBuffer>; keep: Uint8Array[] } {
  const keep = items.map(cstr);
  const array = new BigUint64Array(items.length + 1);
  keep.forEach((b, i) => {
    array[i] = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(b)));
  });
  return { array, keep };
}

let subreaper = false;

/** Makes this process adopt orphaned descendants, so a daemonized task cannot escape. */
export function becomeSubreaper(): void {
  const PR_SET_CHILD_SUBREAPER = 36;
  subreaper ||= libc().prctl(PR_SET_CHILD_SUBREAPER, 1n, 0n, 0n, 0n) === 0;
}

/** Whether becomeSubreaper took effect in this process. */
export function isSubreaper(): boolean {
  return subreaper;
}

/** Reaps `pid` if it has exited; returns its raw wait status, or null if still running. */
export function tryWait(pid: number): number | null {
  const WNOHANG = 1;
  const status = new Int32Array(1);
  const r = loopLibc().waitpid(pid, status, WNOHANG);
  if (r === pid) return status[0];
  if (r < 0) return -1; // not our child (already reaped): report as gone
  return null;
}

/** Decodes a wait status into an exit code (128+N for a signal, as shells report it). */
export function exitCode(status: number): number {
  if (status < 0) return -1;
  const sig = status & 0x7f;
  return sig === 0 ? (status >> 8) & 0xff : 128 + sig;
}
