/**
 * The library's job handle: status, rc, live events, stats, facts and cancel. Events are read
 * back from `job_events/` (only a counter → file index is kept in memory), so a long job does
 * not grow the embedding process.
 */
import { readFactCache } from "./fact_cache.ts";
import { join } from "../runtime/path.ts";
import { prepareJob } from "../config/job_spec.ts";
import { settingsFromCamelCase } from "../config/settings.ts";
import type { RunOptions } from "../config/options.ts";
import type { JobEvent } from "../events/event.ts";
import { materialize } from "../events/spill.ts";
import { executeJob } from "../job/execute.ts";
import {
  FINAL_STATUSES,
  HandlerFailure,
  type JobSink,
  type JobStatus,
  type StatusInfo,
} from "../sinks/sink.ts";
import { every } from "../runtime/timer.ts";

/** Callbacks of a library job, as ansible-runner's Python API names them (camelCase). */
export interface RunHandlers {
  /** Every event, in order; returning false keeps its event file from being written. */
  eventHandler?: (event: JobEvent) => boolean | void;
  /** Every status change, with the job's command, cwd and env on `starting`. */
  statusHandler?: (status: JobStatus, config: StatusInfo) => void;
  /**
   * Polled while the job runs (every 100 ms); returning true cancels it. Should it (or any
   * handler) throw, the job is stopped with status `error`, and `done` rejects with the error
   * once the artifacts are complete.
   */
  cancelCallback?: () => boolean;
  /** Called once when the job has ended. */
  finishedCallback?: (runner: Runner) => void;
  /** Called with the artifact dir when the job has ended. */
  artifactsHandler?: (artifactDir: string) => void;
  /** In-process plugins: objects with statusHandler and/or eventHandler, called for every job. */
  plugins?: RunnerPlugin[];
}

/** An in-process status/event plugin (the library's counterpart of ansible-runner plugins). */
export interface RunnerPlugin {
  statusHandler?: (status: JobStatus, config: StatusInfo) => void;
  eventHandler?: (event: JobEvent) => void;
}

/**
 * The `env/settings` keys in camelCase that RunOptions does not already have (`idleTimeout`,
 * `suppressAnsiOutput`, …).
 */
export interface SettingsOptions {
  idleTimeout?: number;
  jobTimeout?: number;
  pexpectTimeout?: number;
  pexpectUsePoll?: boolean;
  suppressAnsiOutput?: boolean;
  suppressOutputFile?: boolean;
  suppressAnsibleOutput?: boolean;
  factCache?: string;
  factCacheType?: string;
  directoryIsolationCleanup?: boolean;
  containerAuthData?: Record<string, unknown>;
  runnerHttpUrl?: string;
  runnerHttpPath?: string;
  runnerHttpHeaders?: Record<string, string>;
}

/**
 * Options of {@link run} and {@link runAsync}: the command line's options, the settings in
 * camelCase (they win over `env/settings`), and handlers.
 */
export type LibraryRunOptions = RunOptions & SettingsOptions & RunHandlers;

/** Statistics of a playbook run (the `playbook_on_stats` event's data). */
export type PlaybookStats = Record<string, unknown>;

/** One job, running or ended. */
export class Runner {
  /** The job's ident. */
  readonly ident: string;
  /** `artifacts/<ident>`. */
  readonly artifactDir: string;
  /** Current status. */
  status: JobStatus = "unstarted";
  /** Exit code once ended, else null. */
  rc: number | null = null;
  /** Statistics from `playbook_on_stats`, once seen. */
  stats: PlaybookStats | null = null;
  #files = new Map<number, string>();
  #highest = 0;
  #ended = false;
  #waiters: (() => void)[] = [];
  #controller = new AbortController();

  /** @internal Created by {@link runAsync}. */
  constructor(ident: string, artifactDir: string) {
    this.ident = ident;
    this.artifactDir = artifactDir;
  }

  /** Cancels the job (status `canceled`, rc 254). */
  cancel(): void {
    this.#controller.abort();
  }

  /** @internal Stops the job because a handler of the caller's failed (status `error`). */
  fail(why: HandlerFailure): void {
    this.#controller.abort(why);
  }

  /** @internal The cancel signal handed to the pipeline. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** @internal Records that an event file exists. */
  noteEvent(ev: JobEvent): void {
    this.#files.set(ev.counter, `${ev.counter}-${ev.uuid}.json`);
    this.#highest = Math.max(this.#highest, ev.counter);
    if (ev.event === "playbook_on_stats") this.stats = (ev.event_data ?? {}) as PlaybookStats;
    this.#wake();
  }

  /** @internal Follows the job's status; a final one (with its rc) marks the end. */
  noteStatus(status: JobStatus, rc?: number): void {
    this.status = status;
    if (!FINAL_STATUSES.includes(status)) return;
    this.rc = rc ?? null;
    this.end();
  }

  /** @internal Marks the end: events() stops waiting (the job may have ended without a status). */
  end(): void {
    this.#ended = true;
    this.#wake();
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  /**
   * The job's events in counter order; while the job runs, waits for the next one. An event
   * whose file is not there (a full disk kept it from being written) is passed over, as
   * ansible-runner's `events` lists only the files there are.
   */
  async *events(): AsyncGenerator<JobEvent> {
    let next = 1;
    for (;;) {
      if (next <= this.#highest) {
        const file = this.#files.get(next++);
        const text = file && await readUnlessMissing(join(this.artifactDir, "job_events", file));
        if (text) yield JSON.parse(text);
        continue;
      }
      if (this.#ended) return;
      await new Promise<void>((r) => this.#waiters.push(r));
    }
  }

  /** The events of one host (`event_data.host`). */
  async hostEvents(host: string): Promise<JobEvent[]> {
    const out: JobEvent[] = [];
    for await (const ev of this.events()) if (ev.event_data?.host === host) out.push(ev);
    return out;
  }

  /**
   * The fact cache of a host (jsonfile cache), or null when there is none; read in the layout
   * of ansible-core up to 2.18 or of 2.19 on, its data tags taken off.
   */
  getFactCache(host: string): Promise<Record<string, unknown> | null> {
    return readFactCache(join(this.artifactDir, "fact_cache"), host);
  }

  /** The stdout artifact as a stream of bytes. */
  async stdout(): Promise<ReadableStream<Uint8Array>> {
    return (await Deno.open(join(this.artifactDir, "stdout"))).readable;
  }
}

/**
 * Starts a job and returns its Runner at once, with a promise for its end. Rejects (the
 * promise, not the call) with ConfigError on bad input, before anything is written.
 */
export async function runAsync(
  options: LibraryRunOptions,
): Promise<{ runner: Runner; done: Promise<Runner> }> {
  const camel = settingsFromCamelCase(options as unknown as Record<string, unknown>);
  const spec = await prepareJob(
    Object.keys(camel).length
      ? { ...options, settings: { ...options.settings, ...camel } }
      : options,
    Deno.env.toObject(),
  );
  const runner = new Runner(spec.ident, spec.artifactDir);
  const plugins = options.plugins ?? [];
  const user: JobSink = {
    event: (ev) => {
      if (!plugins.length && !options.eventHandler) return;
      const full = materialize(ev); // handlers may keep the event: give them the real text
      for (const p of plugins) p.eventHandler?.(full);
      return options.eventHandler?.(full);
    },
    status: (status, info) => {
      for (const p of plugins) p.statusHandler?.(status, info);
      options.statusHandler?.(status, info);
    },
  };
  // Runner's own record, after the artifacts: a handler that throws does not stop it.
  const index: JobSink = {
    event: (ev) => runner.noteEvent(ev),
    status: (status, info) => runner.noteStatus(status, info.rc),
  };
  let stopPolling = () => {};
  if (options.cancelCallback) {
    stopPolling = every(100, () => {
      if (runner.signal.aborted) return;
      try {
        if (options.cancelCallback!()) runner.cancel();
      } catch (e) {
        runner.fail(new HandlerFailure(`cancelCallback threw: ${e}`, { cause: e }));
      }
    });
  }
  const done = executeJob(spec, { before: [user], after: [index], signal: runner.signal })
    .then(() => {
      options.artifactsHandler?.(spec.artifactDir);
      options.finishedCallback?.(runner);
      return runner;
    })
    .finally(() => {
      stopPolling();
      runner.end();
    });
  return { runner, done };
}

/** Runs a job to its end and resolves to its Runner. */
export async function run(options: LibraryRunOptions): Promise<Runner> {
  return await (await runAsync(options)).done;
}

/** A file's text, or null where it does not exist. */
async function readUnlessMissing(path: string): Promise<string | null> {
  try {
    return await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}
