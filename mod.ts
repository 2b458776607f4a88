/**
 * runner as a library: run Ansible jobs from a private data dir, follow their events as they
 * happen, cancel them, and read their results — and the transmit/worker/process protocol on
 * any streams.
 *
 * @example Run the demo job and follow its events
 * ```ts
 * import { run } from "./mod.ts";
 *
 * const runner = await run({
 *   privateDataDir: "demo",
 *   playbook: "test.yml",
 *   quiet: true,
 *   eventHandler: (event) => {
 *     if (event.event === "runner_on_failed") console.error(event.stdout);
 *   },
 * });
 * console.log(runner.status, runner.rc, runner.stats);
 * ```
 *
 * @example Start a job, read its events live, cancel it after a while
 * ```ts
 * import { runAsync } from "./mod.ts";
 *
 * const { runner, done } = await runAsync({ privateDataDir: "demo", playbook: "test.yml" });
 * const timer = setTimeout(() => runner.cancel(), 60_000);
 * for await (const event of runner.events()) console.log(event.counter, event.event);
 * await done;
 * clearTimeout(timer);
 * console.log(runner.status); // "successful", or "canceled" after runner.cancel()
 * ```
 *
 * @example Transmit a job to a worker in the same process and record it
 * ```ts
 * import { processStream, transmit, worker } from "./mod.ts";
 *
 * const toWorker = new TransformStream<Uint8Array, Uint8Array>();
 * const fromWorker = new TransformStream<Uint8Array, Uint8Array>();
 * const [, , result] = await Promise.all([
 *   transmit({ privateDataDir: "demo", playbook: "test.yml" }, toWorker.writable),
 *   worker({ input: toWorker.readable, output: fromWorker.writable }),
 *   processStream({ input: fromWorker.readable, artifactDir: "/tmp/controller/artifacts" }),
 * ]);
 * console.log(result.status, result.rc);
 * ```
 * @module
 */
export {
  type LibraryRunOptions,
  type PlaybookStats,
  run,
  runAsync,
  type RunHandlers,
  Runner,
  type RunnerPlugin,
  type SettingsOptions,
} from "./src/api/runner.ts";
export {
  processStream,
  type ProcessStreamOptions,
  QueuedWriter,
  transmit,
  worker,
  type WorkerStreamOptions,
} from "./src/api/streams.ts";
export { ConfigError } from "./src/config/errors.ts";
export type { RunOptions } from "./src/config/options.ts";
export type { JobEvent } from "./src/events/event.ts";
export type { JobResult } from "./src/job/execute.ts";
export type { JobSink, JobStatus, StatusInfo } from "./src/sinks/sink.ts";
export type { ProcessorResult } from "./src/streaming/process.ts";
export type { WorkerOutcome } from "./src/streaming/worker.ts";
export { VERSION } from "./src/cli/version.ts";
