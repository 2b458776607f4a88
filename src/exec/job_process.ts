/**
 * Runs one program under a pty to its end: answers prompts, enforces the idle and job
 * timeouts, honours cancel, and leaves no process of the job behind.
 */
import { exitCode, tryWait } from "./libc.ts";
import { PromptMatcher, type PromptRule } from "./expect.ts";
import { type JobIdentity, killJobTree, startOf } from "./process_tree.ts";
import { OutputBatch } from "./output_batch.ts";
import { monotonicMs } from "../runtime/timer.ts";
import { type JobGuard, startGuard } from "./job_guard.ts";
import { spawnPty } from "./pty.ts";

/** How a job process ended. */
export type ProcessEnd = "exited" | "timeout" | "canceled";

/** Inputs of {@link runProcess}. */
export interface ProcessOptions {
  /** Resolved executable path. */
  file: string;
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  prompts: PromptRule[];
  /** Seconds without output before the job is stopped (null: none). */
  idleTimeout: number | null;
  /** Seconds the job may run (null: none). */
  jobTimeout: number | null;
  /** Aborting it cancels the job. */
  signal?: AbortSignal;
  marker: string;
  /** Called with the terminal output, in order, in batches (see OutputBatch). */
  onOutput: (bytes: Uint8Array) => void;
  /** How long output may wait in a batch (default BATCH_MS; 0: handed on as it is read). */
  batchMs?: number;
  /** Called once the child is running. */
  onStart?: (pid: number) => void;
  /** Temp dirs of the job, for its guard to remove should runner be killed outright. */
  temps?: readonly string[];
  /** This process runs nothing but this job: see {@link JobIdentity}'s `adopts`. */
  adopts?: boolean;
  /** runner's own children beside the job, at its end (a compile): not the job's. */
  helpers?: () => readonly number[];
}

/** Result of {@link runProcess}. */
export interface ProcessResult {
  end: ProcessEnd;
  /** Exit code (128+N when killed by signal N); 254 after a timeout or cancel. */
  rc: number;
  pid: number;
}

/** How often the loop wakes up with no output, to check timeouts, cancel and exit. */
const TICK_MS = 100;
/** After the main process exits, how long to wait for the output to drain. */
const DRAIN_MS = 2000;

/**
 * Runs the program; resolves when it and every process it started are gone. Canceled before it
 * started (a worker's SIGINT while the job was being received), it is not started at all.
 */
export async function runProcess(opts: ProcessOptions): Promise<ProcessResult> {
  if (opts.signal?.aborted) return { end: "canceled", rc: 254, pid: 0 };
  const proc = spawnPty({ file: opts.file, argv: opts.argv, env: opts.env, cwd: opts.cwd });
  let guard: JobGuard | null = null;
  const helpers: number[] = [];
  const matcher = new PromptMatcher(opts.prompts);
  const decoder = new TextDecoder();
  const started = monotonicMs();
  let lastOutput = started;
  let status: number | null = null;
  let end: ProcessEnd = "exited";
  let eof = false;
  let eofAt = 0;

  const batch = new OutputBatch(opts.batchMs);
  // Prompts are answered as their text is read; events are made from the batches, handed on
  // when due or when the output pauses (a gathering wait found nothing).
  const deliver = (chunk: Uint8Array) => {
    lastOutput = monotonicMs();
    batch.push(chunk, lastOutput);
    if (!opts.prompts.length) return; // no second decode when there is nothing to answer
    for (const answer of matcher.feed(decoder.decode(chunk, { stream: true }))) proc.write(answer);
  };
  const handOn = (now: number) => {
    if (batch.dueIn(now) === 0) opts.onOutput(batch.take());
  };
  const handOnAll = () => {
    if (batch.size) opts.onOutput(batch.take());
  };

  const job = (): Omit<JobIdentity, "self"> => ({
    sid: proc.pid,
    adopts: opts.adopts,
    others: [...helpers, ...opts.helpers?.() ?? []],
  });
  let lookedAt = 0; // when the loop last looked for the exit
  let killed = false;
  try {
    opts.onStart?.(proc.pid); // what it throws ends the job, as a sink's error does
    // Started beside the job, not before it: should runner be killed outright, the guard ends it.
    guard = startGuard(opts.marker, { pid: proc.pid, start: startOf(proc.pid) }, opts.temps);
    if (guard) helpers.push(guard.pid);
    for (;;) {
      let output = false;
      // After EOF the exit usually follows within milliseconds: look often, not once a tick.
      if (eof) await proc.waitExit(monotonicMs() - eofAt < 1000 ? 5 : TICK_MS);
      else {
        const chunk = await proc.read(Math.min(TICK_MS, batch.dueIn(monotonicMs())), handOnAll);
        if (chunk === null) {
          eof = true;
          eofAt = monotonicMs();
        } else if (chunk.length) {
          deliver(chunk);
          output = true;
        }
      }
      // Looking is a system call. While output flows, the exit shows soon enough as a read that
      // brings nothing (the wait ends at the exit), as end of file, or at the next tick.
      const now = monotonicMs();
      handOn(now);
      if (!output || now - lookedAt >= TICK_MS) {
        lookedAt = now;
        status ??= tryWait(proc.pid);
      }
      if (status !== null) break;
      if (opts.signal?.aborted) end = "canceled";
      else if (opts.jobTimeout && now - started >= opts.jobTimeout * 1000) end = "timeout";
      else if (opts.idleTimeout && now - lastOutput >= opts.idleTimeout * 1000) end = "timeout";
      if (end !== "exited") break;
    }
    handOnAll(); // what came before a timeout or cancel is recorded before the kill

    if (end === "exited" && !eof) {
      // Output still buffered in the pty belongs to the job: read it before killing leftovers.
      for (let quiet = 0; quiet < 2;) {
        const chunk = await proc.read(50);
        if (chunk === null) {
          eof = true;
          break;
        }
        if (chunk.length) deliver(chunk);
        else quiet++;
      }
    }
    // Whatever the ending, nothing of the job may outlive it (background tasks included).
    // A job stopped (timeout, cancel) is interrupted first; one that ended leaves only strays.
    const stopped = end !== "exited";
    await killJobTree(opts.marker, job(), stopped ? 1000 : 200, stopped);
    killed = true;
    const drainUntil = monotonicMs() + DRAIN_MS;
    while (!eof && monotonicMs() < drainUntil) {
      const chunk = await proc.read(50);
      if (chunk === null) break;
      if (chunk.length) deliver(chunk);
    }
    handOnAll();
    status ??= await proc.reap();
  } finally {
    if (!killed) {
      // Thrown out of the loop (a sink that cannot write: the worker's reader went away):
      // the job goes too, and is reaped, before the error goes on.
      await killJobTree(opts.marker, job(), 1000);
      status ??= await proc.reap(3000);
    }
    guard?.release();
    proc.close();
  }
  return { end, rc: end === "exited" ? exitCode(status ?? -1) : 254, pid: proc.pid };
}
