/**
 * Spawning a process on a new pseudo-terminal, as pexpect does: the child leads a new
 * session whose controlling terminal is the pts, and its stdin, stdout and stderr are the pts.
 */
import { cstr, cstrArray, errno, libc, loopLibc, tryWait } from "./libc.ts";
import { monotonicMs, sleep } from "../runtime/timer.ts";
import { ReadPace } from "./read_pace.ts";

const O_RDWR = 0o2;
const O_NOCTTY = 0o400;
const O_CLOEXEC = 0o2000000;
const POSIX_SPAWN_SETSIGDEF = 0x04;
const POSIX_SPAWN_SETSIGMASK = 0x08;
const POSIX_SPAWN_SETSID = 0x80;
const TIOCSWINSZ = 0x5414n;
const TCSANOW = 0;
const ECHO = 0o10;
const POLLIN = 0x1;
const SYS_PIDFD_OPEN = 434n; // on x86-64 and arm64 alike, the Linux targets Deno builds for
const F_GETFL = 3;
const F_SETFL = 4;
const O_NONBLOCK = 0o4000;
const EINTR = 4;
const EAGAIN = 11;

/** What to spawn. `file` must be a path (already resolved against the job's PATH). */
export interface PtySpawnOptions {
  file: string;
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  rows?: number;
  cols?: number;
  /** Terminal echo; off by default, as ansible-runner spawns with echo=False. */
  echo?: boolean;
}

/**
 * A child on a pty: read its output from `fd`, write input to it, reap it by `pid`.
 *
 * Where the kernel has pidfds (Linux 5.3), every wait also watches the child's: its exit ends
 * the wait at once, so the end of a job is seen within a millisecond, not at the end of a
 * timer. Without one, waits are plain timers.
 */
export class PtyProcess {
  readonly pid: number;
  readonly fd: number;
  /** The child's pidfd, or -1; no longer watched once the child has exited. */
  #pidfd: number;
  #exited = false;
  #closed = false;
  #pollBuf = new Uint8Array(16);
  #pollView = new DataView(this.#pollBuf.buffer);
  #readBuf = new Uint8Array(65536);
  #pace = new ReadPace();

  constructor(pid: number, fd: number, pidfd = -1) {
    this.pid = pid;
    this.fd = fd;
    this.#pidfd = pidfd;
  }

  /**
   * Waits up to `ms` for the child to exit, or (with `output`) for output; resolves to
   * whether one of them happened (false after a plain timer).
   */
  async #wait(ms: number, output: boolean): Promise<boolean> {
    const watchExit = this.#pidfd >= 0 && !this.#exited;
    if (!output && !watchExit) {
      await sleep(ms);
      return false;
    }
    const view = this.#pollView;
    let n = 0;
    for (const fd of [output ? this.fd : -1, watchExit ? this.#pidfd : -1]) {
      if (fd < 0) continue;
      view.setInt32(n * 8, fd, true);
      view.setInt16(n * 8 + 4, POLLIN, true);
      view.setInt16(n * 8 + 6, 0, true);
      n++;
    }
    // poll takes whole milliseconds; the clock gives fractions.
    const ready = await loopLibc().poll(this.#pollBuf, BigInt(n), Math.max(0, Math.ceil(ms)));
    if (watchExit && view.getInt16((n - 1) * 8 + 6, true) !== 0) this.#exited = true;
    return ready > 0;
  }

  /** Waits up to `ms` for the child to exit (at most `ms` without a pidfd). */
  async waitExit(ms: number): Promise<void> {
    if (!this.#closed) await this.#wait(ms, false);
  }

  /**
   * Waits for the child's exit and reaps it: its raw wait status, or null if it still runs
   * after `limitMs` (default: no limit).
   */
  async reap(limitMs = Infinity): Promise<number | null> {
    const until = monotonicMs() + limitMs;
    for (;;) {
      const status = tryWait(this.pid);
      if (status !== null || monotonicMs() >= until) return status;
      await this.waitExit(10);
    }
  }

  /**
   * Waits up to `timeoutMs` for output. Returns the bytes read, an empty array when nothing
   * came, or null at end of file (every slave side closed). `onQuiet` is called when a
   * gathering wait found the pty still empty: the output has paused.
   */
  async read(timeoutMs: number, onQuiet?: () => void): Promise<Uint8Array | null> {
    // Read first (the fd is non-blocking): when output is flowing this costs one plain call.
    // Then a gathering wait, or straight to poll, as the reads so far suggest (ReadPace).
    // With a pidfd the child's exit still ends a gathering wait at once.
    const first = this.#tryRead();
    if (first !== undefined) return first;
    if (!this.#pace.streaming) {
      const exited = await this.#wait(
        Math.min(this.#pace.gatherMs(monotonicMs()), timeoutMs),
        false,
      );
      const next = this.#tryRead();
      if (next !== undefined) return next;
      if (exited) return new Uint8Array(0);
      onQuiet?.();
    }
    if (this.#closed) return null;
    await this.#wait(timeoutMs, true);
    if (this.#closed) return null;
    return this.#tryRead() ?? new Uint8Array(0);
  }

  /** Bytes, null at EOF, or undefined when nothing is available now. */
  #tryRead(): Uint8Array | null | undefined {
    if (this.#closed) return null;
    const r = Number(loopLibc().read(this.fd, this.#readBuf, BigInt(this.#readBuf.length)));
    // errno first: any call after the read (the clock's included) may overwrite it.
    const e = r < 0 ? errno() : 0;
    this.#pace.observe(Math.max(r, 0), monotonicMs());
    if (r > 0) return this.#readBuf.slice(0, r);
    if (r < 0 && (e === EAGAIN || e === EINTR)) return undefined;
    return null; // 0 or EIO: every slave side is closed
  }

  /** Writes input to the terminal (answers to prompts). */
  write(data: string): void {
    const bytes = new TextEncoder().encode(data);
    let off = 0;
    while (off < bytes.length && !this.#closed) {
      const r = Number(libc().write(this.fd, bytes.subarray(off), BigInt(bytes.length - off)));
      if (r <= 0) break;
      off += r;
    }
  }

  /** Closes the master side. Only call when no read is in flight. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    libc().close(this.fd);
    if (this.#pidfd >= 0) libc().close(this.#pidfd);
  }
}

/** Raised when the pty or the spawn itself fails (not when the program exits non-zero). */
export class SpawnError extends Error {
  constructor(message: string, readonly errno: number) {
    super(message);
    this.name = "SpawnError";
  }
}

/** What posix_spawn's errors mean for the job, in words. */
const SPAWN_ERRORS: Record<number, string> = {
  1: "operation not permitted",
  2: "it, or the working dir, does not exist",
  7: "its command line or environment is too large (one value over 128 KiB, or all over the " +
    "system's limit)",
  8: "it is not an executable this system can run",
  11: "too many processes",
  12: "out of memory",
  13: "permission denied",
  20: "a path component is not a directory",
  26: "it is being written to",
  40: "too many levels of symbolic links",
};

/** Spawns `file` on a new pty in a new session. */
export function spawnPty(opts: PtySpawnOptions): PtyProcess {
  const c = libc();
  const master = c.posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) throw new SpawnError("posix_openpt failed", errno());
  let slave = -1;
  try {
    if (c.grantpt(master) !== 0 || c.unlockpt(master) !== 0) {
      throw new SpawnError("grantpt/unlockpt failed", errno());
    }
    const nameBuf = new Uint8Array(128);
    if (c.ptsname_r(master, nameBuf, BigInt(nameBuf.length)) !== 0) {
      throw new SpawnError("ptsname_r failed", errno());
    }
    const ptsName = nameBuf.subarray(0, nameBuf.indexOf(0));
    const winsize = new Uint16Array([opts.rows ?? 24, opts.cols ?? 80, 0, 0]);
    c.ioctl(master, TIOCSWINSZ, new Uint8Array(winsize.buffer));

    // Our own slave fd stays open until spawn returns, or EOF could come before the child opens it.
    slave = c.open(cstr(new TextDecoder().decode(ptsName)), O_RDWR | O_NOCTTY | O_CLOEXEC, 0);
    if (slave < 0) throw new SpawnError("cannot open the pty slave", errno());
    if (!opts.echo) {
      const termios = new Uint8Array(60);
      if (c.tcgetattr(slave, termios) === 0) {
        const dv = new DataView(termios.buffer);
        dv.setUint32(12, dv.getUint32(12, true) & ~ECHO, true);
        c.tcsetattr(slave, TCSANOW, termios);
      }
    }
    const pid = spawnOnPts(opts, new TextDecoder().decode(ptsName));
    c.fcntl(master, F_SETFL, c.fcntl(master, F_GETFL, 0) | O_NONBLOCK);
    // Opened before anything can reap the child, so it names this child (close-on-exec, as
    // pidfds are); -1 on kernels older than 5.3.
    const pidfd = Number(c.syscall(SYS_PIDFD_OPEN, BigInt(pid), 0n));
    return new PtyProcess(pid, master, pidfd);
  } catch (e) {
    c.close(master);
    throw e;
  } finally {
    if (slave >= 0) c.close(slave);
  }
}

function spawnOnPts(opts: PtySpawnOptions, ptsPath: string): number {
  const c = libc();
  const actions = new Uint8Array(80);
  const attr = new Uint8Array(336);
  const sigset = new Uint8Array(128);
  c.posix_spawn_file_actions_init(actions);
  c.posix_spawnattr_init(attr);
  try {
    // setsid happens before the file actions, so opening the pts makes it the controlling tty.
    c.posix_spawn_file_actions_addopen(actions, 0, cstr(ptsPath), O_RDWR, 0);
    c.posix_spawn_file_actions_adddup2(actions, 0, 1);
    c.posix_spawn_file_actions_adddup2(actions, 0, 2);
    c.posix_spawn_file_actions_addchdir_np(actions, cstr(opts.cwd));
    c.posix_spawnattr_setflags(
      attr,
      POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK,
    );
    // Deno ignores SIGPIPE; children must start with default dispositions and no mask.
    c.sigfillset(sigset);
    c.posix_spawnattr_setsigdefault(attr, sigset);
    c.sigemptyset(sigset);
    c.posix_spawnattr_setsigmask(attr, sigset);

    const argv = cstrArray(opts.argv);
    const envp = cstrArray(Object.entries(opts.env).map(([k, v]) => `${k}=${v}`));
    const pidBuf = new Int32Array(1);
    const rc = c.posix_spawn(
      new Uint8Array(pidBuf.buffer),
      cstr(opts.file),
      actions,
      attr,
      new Uint8Array(argv.array.buffer),
      new Uint8Array(envp.array.buffer),
    );
    if (rc !== 0) {
      throw new SpawnError(`cannot start ${opts.file}: ${SPAWN_ERRORS[rc] ?? `errno ${rc}`}`, rc);
    }
    // Keep the strings reachable until the call returned.
    void argv.keep;
    void envp.keep;
    return pidBuf[0];
  } finally {
    c.posix_spawn_file_actions_destroy(actions);
    c.posix_spawnattr_destroy(attr);
  }
}
