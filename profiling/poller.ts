/**
 * Samples the job cgroup's cpu, memory and pids, each on its own interval, and writes each
 * sample to `<n>-<task_uuid>-<metric>.json` of the task running at that moment.
 */
import { join } from "../src/runtime/path.ts";
import type { JobCgroup } from "./job_cgroup.ts";
import { cpuPercent, rsRecord, toMiB } from "./metrics.ts";
import { after } from "../src/runtime/timer.ts";

/** Poll intervals in seconds. */
export interface PollIntervals {
  cpu: number;
  memory: number;
  pids: number;
}

/** The current task, as the event stream tells it. */
interface Task {
  n: number;
  name: string;
  uuid: string;
}

type Metric = "cpu" | "memory" | "pids";

/** Source of samples; a JobCgroup in practice. */
export type MetricSource = Pick<JobCgroup, "cpuNs" | "memory" | "pids">;

/** The poller; call start() when the job runs, task() on each task start, stop() at the end. */
export class Poller {
  #src: MetricSource;
  #dir: string;
  #intervals: PollIntervals;
  #task: Task | null = null;
  #count = 0;
  #timers = new Map<Metric, () => void>();
  #files = new Map<string, { file: Deno.FsFile; size: number }>();
  #stopped = false;
  #onWriteError: (file: string, error: Error) => void;
  /** After a failed write, when to try again: each failed attempt costs system calls. */
  #retryAt = 0;
  #enc = new TextEncoder();
  /** Lateness of each sample against its schedule, in ms (for the benchmark). */
  readonly lateness: number[] = [];

  /**
   * `onWriteError` hears of each sample that could not be written (a full disk): the job goes
   * on, as it does when another artifact cannot be written, and no record is left cut short.
   */
  constructor(
    src: MetricSource,
    resultsDir: string,
    intervals: PollIntervals,
    onWriteError: (file: string, error: Error) => void = () => {},
  ) {
    this.#src = src;
    this.#dir = resultsDir;
    this.#intervals = intervals;
    this.#onWriteError = onWriteError;
  }

  /** Marks the start of the next task; tasks are numbered from 0. */
  task(name: string, uuid: string): void {
    this.#closeFiles(); // a finished task's files are complete
    this.#task = { n: this.#count++, name, uuid };
  }

  /** Starts the three sampling loops. */
  start(): void {
    try {
      Deno.mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
    } catch (e) {
      this.#onWriteError(this.#dir, e as Error); // each sample's write tries again
    }
    const t0 = performance.timeOrigin + performance.now();
    let prev = { ns: this.#src.cpuNs() ?? 0, ms: t0 };
    this.#loop("cpu", t0, (now) => {
      const ns = this.#src.cpuNs();
      if (ns === null) return null;
      const v = cpuPercent(prev.ns, ns, prev.ms, now);
      prev = { ns, ms: now };
      return Math.round(v * 100) / 100;
    });
    this.#loop("memory", t0, () => {
      const b = this.#src.memory();
      return b === null ? null : Math.round(toMiB(b) * 100) / 100;
    });
    this.#loop("pids", t0, () => this.#src.pids());
  }

  #loop(metric: Metric, t0: number, read: (nowMs: number) => number | null): void {
    const every = this.#intervals[metric] * 1000;
    let k = 1;
    const tick = () => {
      if (this.#stopped) return;
      const now = performance.timeOrigin + performance.now();
      this.lateness.push(now - (t0 + k * every));
      const value = read(now);
      if (value !== null && this.#task) this.#write(metric, now, value);
      // Schedule against the start time, so lateness never accumulates.
      k = Math.max(k + 1, Math.floor((now - t0) / every) + 1);
      const wait = Math.max(0, t0 + k * every - (performance.timeOrigin + performance.now()));
      this.#timers.set(metric, after(wait, tick));
    };
    this.#timers.set(metric, after(every, tick));
  }

  #write(metric: Metric, nowMs: number, value: number): void {
    if (performance.now() < this.#retryAt) return;
    const t = this.#task!;
    const name = `${t.n}-${t.uuid}-${metric}.json`;
    let f = this.#files.get(name);
    try {
      if (!f) {
        const file = Deno.openSync(join(this.#dir, name), {
          append: true,
          create: true,
          mode: 0o600,
        });
        f = { file, size: file.statSync().size };
        this.#files.set(name, f);
      }
      const rec = rsRecord({
        timestamp: nowMs / 1000,
        task_name: t.name,
        task_uuid: t.uuid,
        value,
      });
      const bytes = this.#enc.encode(rec);
      for (let off = 0; off < bytes.length;) off += f.file.writeSync(bytes.subarray(off));
      f.size += bytes.length;
    } catch (e) {
      try {
        f?.file.truncateSync(f.size); // no record cut short
      } catch { /* nothing more to do */ }
      this.#retryAt = performance.now() + 1000;
      this.#onWriteError(name, e as Error);
    }
  }

  /** Stops sampling and closes the files. */
  stop(): void {
    this.#stopped = true;
    for (const cancel of this.#timers.values()) cancel();
    this.#timers.clear();
    this.#closeFiles();
  }

  #closeFiles(): void {
    for (const f of this.#files.values()) f.file.close();
    this.#files.clear();
  }
}
