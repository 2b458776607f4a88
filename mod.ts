/**
 * runner as a library: run Ansible jobs from a private data dir and consume their events.
 *
 * @example Run the demo job and count its events
 * ```ts
 * import { run } from "./mod.ts";
 *
 * const result = await run({ privateDataDir: "demo", playbook: "test.yml" }, {
 *   eventHandler: (event) => {
 *     if (event.event === "runner_on_failed") console.error(event.stdout);
 *   },
 * });
 * console.log(result.status, result.rc, result.events);
 * ```
 * @module
 */
import { prepareJob } from "./src/config/job_spec.ts";
import type { RunOptions } from "./src/config/options.ts";
import type { JobEvent } from "./src/events/event.ts";
import { executeJob, type JobResult } from "./src/job/execute.ts";
import type { JobSink, JobStatus, StatusInfo } from "./src/sinks/sink.ts";

export type { JobEvent, JobResult, JobSink, JobStatus, RunOptions, StatusInfo };
export { ConfigError } from "./src/config/errors.ts";
export { VERSION } from "./src/cli/version.ts";

/** Callbacks of a library run. */
export interface RunHandlers {
  /** Called for every event in order; returning false keeps its event file from being written. */
  eventHandler?: (event: JobEvent) => boolean | void;
  /** Called on every status change. */
  statusHandler?: (status: JobStatus, info: StatusInfo) => void;
  /** Aborting it cancels the job (status `canceled`, rc 254). */
  signal?: AbortSignal;
}

/**
 * Runs one job to its end and resolves to its result. Bad inputs reject with a ConfigError
 * before anything is written.
 */
export async function run(options: RunOptions, handlers: RunHandlers = {}): Promise<JobResult> {
  const spec = await prepareJob(options, Deno.env.toObject());
  const before: JobSink[] = [{
    event: handlers.eventHandler,
    status: handlers.statusHandler,
  }];
  return await executeJob(spec, { before, signal: handlers.signal });
}
