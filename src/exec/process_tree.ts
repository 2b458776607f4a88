/**
 * Finding and killing every process that belongs to a job: its session, its descendants,
 * and anything that carries the job's marker in its environment (daemonized async tasks
 * that left the session and were reparented).
 */
import { isSubreaper, tryWait } from "./libc.ts";
import { monotonicMs, sleep } from "../runtime/timer.ts";

/** One row of the process table. */
export interface ProcInfo {
  pid: number;
  ppid: number;
  sid: number;
  /** Whether the environment carries the job's marker (null when unreadable). */
  marked: boolean | null;
}

/** The environment variable whose value marks a job's processes. */
export const JOB_MARKER_ENV = "RUNNER_JOB_MARKER";

/** The fields runner needs from `/proc/<pid>/stat`; `start` is in clock ticks since boot. */
export interface Stat {
  pid: number;
  ppid: number;
  sid: number;
  start: number;
}

/** Parses `/proc/<pid>/stat`. Pure. */
export function parseStat(text: string): Stat | null {
  const close = text.lastIndexOf(")");
  if (close < 0) return null;
  const pid = parseInt(text, 10);
  // From field 3 on: state ppid pgrp session … (field 22, index 19: starttime).
  const fields = text.slice(close + 2).split(" ");
  const ppid = parseInt(fields[1], 10);
  const sid = parseInt(fields[3], 10);
  const start = parseInt(fields[19], 10);
  if ([pid, ppid, sid, start].some(Number.isNaN)) return null;
  return { pid, ppid, sid, start };
}

const statBuf = new Uint8Array(4096);
const latin1 = new TextDecoder("latin1");

/**
 * `/proc/<pid>/stat` in one read (readTextFileSync reads a size-0 proc file in five growing
 * pieces; the table is scanned at the end of every job).
 */
function readStat(pid: string): Stat | null {
  const f = Deno.openSync(`/proc/${pid}/stat`);
  try {
    const n = f.readSync(statBuf) ?? 0;
    return parseStat(latin1.decode(statBuf.subarray(0, n)));
  } finally {
    f.close();
  }
}

/** When process `pid` started (clock ticks since boot), or null if it is gone. */
export function startOf(pid: number): number | null {
  try {
    return readStat(String(pid))?.start ?? null;
  } catch {
    return null;
  }
}

let selfStart: number | null = null;

/** When this process started (ticks since boot): no process of a job it runs is older. */
function ownStart(): number {
  return selfStart ??= readStat("self")?.start ?? 0;
}

/** Who the job is, for {@link selectJobProcesses}. */
export interface JobIdentity {
  /** The job's session (its leader's pid). */
  sid: number;
  /** runner's pid: never chosen. */
  self: number;
  /**
   * This process runs nothing but the job (the command line's `run` and `worker`): every
   * child it has adopted is the job's. A process that left the session, cleared its
   * environment and was orphaned (`(env -i setsid daemon &)`) carries nothing else of the job.
   */
  adopts?: boolean;
  /** runner's own children beside the job (its guard, a compile): never chosen. */
  others?: readonly number[];
}

/** Pure selection: the job's processes given a snapshot of the table. */
export function selectJobProcesses(procs: ProcInfo[], job: JobIdentity): number[] {
  const chosen = new Set<number>();
  const others = new Set(job.others ?? []);
  for (const p of procs) {
    if (p.pid === job.self || others.has(p.pid)) continue;
    if (p.sid === job.sid || p.marked || job.adopts && p.ppid === job.self) chosen.add(p.pid);
  }
  // Descendants of anything chosen (a child that called setsid and cleared its environment).
  const children = new Map<number, number[]>();
  for (const p of procs) {
    const list = children.get(p.ppid) ?? [];
    list.push(p.pid);
    children.set(p.ppid, list);
  }
  const stack = [...chosen];
  while (stack.length) {
    const pid = stack.pop()!;
    for (const c of children.get(pid) ?? []) {
      if (!chosen.has(c) && c !== job.self && !others.has(c)) {
        chosen.add(c);
        stack.push(c);
      }
    }
  }
  return [...chosen];
}

/**
 * The process table; with a marker, whether each process carries it (else `marked` is false).
 * Processes older than this one cannot belong to a job it started, so their environment is
 * not read: on a busy node that is most of the table.
 */
export function listProcesses(marker?: string): ProcInfo[] {
  const since = marker ? ownStart() : 0;
  const needle = marker ? new TextEncoder().encode(`${JOB_MARKER_ENV}=${marker}\0`) : null;
  const out: ProcInfo[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const st = readStat(entry.name);
      if (!st) continue;
      let marked: boolean | null = false;
      if (needle && st.start >= since) {
        try {
          marked = includesBytes(Deno.readFileSync(`/proc/${entry.name}/environ`), needle);
        } catch {
          marked = null; // no permission, or gone
        }
      }
      out.push({ pid: st.pid, ppid: st.ppid, sid: st.sid, marked });
    } catch { /* exited while listing */ }
  }
  return out;
}

function includesBytes(hay: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    if (i > 0 && hay[i - 1] !== 0) continue; // only at the start of a variable
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/**
 * Whether this process has a child now, not counting `except`; null when the kernel does not
 * list children (`/proc/<pid>/task/<tid>/children` needs CONFIG_PROC_CHILDREN).
 */
export function hasChildren(except: number[] = []): boolean | null {
  try {
    for (const task of Deno.readDirSync("/proc/self/task")) {
      const f = Deno.openSync(`/proc/self/task/${task.name}/children`);
      try {
        const n = f.readSync(statBuf) ?? 0;
        if (n === 0) continue;
        // A full buffer may hold a cut pid: count it as a child (a scan follows, no harm).
        if (n === statBuf.length) return true;
        const pids = latin1.decode(statBuf.subarray(0, n)).trim().split(/\s+/).map(Number);
        if (pids.some((p) => !except.includes(p))) return true;
      } finally {
        f.close();
      }
    }
    return false;
  } catch {
    return null;
  }
}

/** The job's live processes now. */
function jobProcesses(marker: string, job: Omit<JobIdentity, "self">): number[] {
  return selectJobProcesses(listProcesses(marker), { ...job, self: Deno.pid });
}

function signal(pids: number[], sig: Deno.Signal): void {
  for (const pid of pids) {
    try {
      Deno.kill(pid, sig);
    } catch { /* already gone */ }
  }
}

/** How long an interrupted job (see killJobTree) has to end before it is terminated. */
export const INTERRUPT_GRACE_MS = 500;

/**
 * Terminates the whole job: SIGTERM, up to `graceMs` for it to go, then SIGKILL until a scan
 * finds nothing. Reaps any of them that were reparented to this process. `job.others` are
 * children of runner's that are not the job's (its guard, a compile).
 *
 * With `interrupt` (a timeout or cancel), SIGINT goes first, as a terminal's Ctrl-C would send
 * it, and up to INTERRUPT_GRACE_MS for the job to end: Python's processes then unwind, so a
 * module that Ansible was running removes its payload from the temp dir (killed outright, it
 * leaves ~100 KB behind per job), and Ansible says it was interrupted.
 */
export async function killJobTree(
  marker: string,
  job: Omit<JobIdentity, "self">,
  graceMs = 1000,
  interrupt = false,
): Promise<void> {
  // A subreaper adopts every orphan below it, so whatever is left of a job it ran is among its
  // descendants: with no child at all (but `others`, runner's own helpers) there is nothing to
  // find, and the table (thousands of processes on a busy node) need not be read.
  if (isSubreaper() && hasChildren([...job.others ?? []]) === false) return;
  // Only a subreaper adopts: without one, a child of runner's is one it started itself.
  job = { ...job, adopts: job.adopts && isSubreaper() };
  let pids = jobProcesses(marker, job);
  if (pids.length === 0) return;
  /** Signals what is left, then waits up to `ms` for it to go; true when nothing is left. */
  const endWith = async (sig: Deno.Signal, ms: number) => {
    signal(pids, sig);
    const deadline = monotonicMs() + ms;
    while (monotonicMs() < deadline) {
      await sleep(50);
      reap(pids);
      pids = jobProcesses(marker, job).filter(isAlive);
      if (pids.length === 0) return true;
    }
    return false;
  };
  if (interrupt && await endWith("SIGINT", INTERRUPT_GRACE_MS)) return;
  if (await endWith("SIGTERM", graceMs)) return;
  for (let round = 0; round < 50; round++) {
    signal(pids, "SIGKILL");
    await sleep(20);
    reap(pids);
    pids = jobProcesses(marker, job).filter(isAlive);
    if (pids.length === 0) return;
  }
}

function reap(pids: number[]): void {
  for (const pid of pids) tryWait(pid);
}

/** True unless the process is gone or a zombie. */
export function isAlive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat[stat.lastIndexOf(")") + 2] !== "Z";
  } catch {
    return false;
  }
}
