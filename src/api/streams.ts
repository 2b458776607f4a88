/**
 * transmit, worker and process for library users, on any Web streams. The pipeline writes
 * synchronously; {@link QueuedWriter} hands those writes to a WritableStream in order.
 */
import type { RunOptions } from "../config/options.ts";
import type { JobEvent } from "../events/event.ts";
import type { JobSink, JobStatus, StatusInfo } from "../sinks/sink.ts";
import { type ProcessorResult, runProcessor } from "../streaming/process.ts";
import { transmit as transmitTo } from "../streaming/transmit.ts";
import type { SyncWriter } from "../streaming/wire.ts";
import { runWorker, type WorkerOutcome } from "../streaming/worker.ts";

/** Adapts a WritableStream to the pipeline's synchronous writes, keeping their order. */
export class QueuedWriter implements SyncWriter {
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #chain: Promise<void> = Promise.resolve();
  #error: unknown = null;

  constructor(stream: WritableStream<Uint8Array>) {
    this.#writer = stream.getWriter();
  }

  writeSync(p: Uint8Array): number {
    if (this.#error) throw this.#error;
    const copy = p.slice();
    this.#chain = this.#chain.then(() => this.#writer.write(copy)).catch((e) => {
      this.#error = e;
    });
    return p.length;
  }

  /** Waits for every queued write, then closes the stream. */
  async close(): Promise<void> {
    await this.#chain;
    if (this.#error) throw this.#error;
    await this.#writer.close();
  }
}

/** Writes a job onto `output` for a worker. */
export async function transmit(
  options: RunOptions,
  output: WritableStream<Uint8Array>,
): Promise<void> {
  const out = new QueuedWriter(output);
  await transmitTo(options, out);
  await out.close();
}

/** Options of {@link worker}. */
export interface WorkerStreamOptions {
  input: ReadableStream<Uint8Array>;
  output: WritableStream<Uint8Array>;
  /** Where to unpack the job (default: a temporary dir, removed afterwards). */
  privateDataDir?: string;
  keepaliveSeconds?: number;
  signal?: AbortSignal;
}

/** Runs a streamed job: reads `input`, writes status, events, artifacts and eof to `output`. */
export async function worker(opts: WorkerStreamOptions): Promise<WorkerOutcome> {
  const out = new QueuedWriter(opts.output);
  const pdd = opts.privateDataDir ?? await Deno.makeTempDir({ prefix: "runner_worker_" });
  try {
    return await runWorker({
      input: opts.input,
      out,
      privateDataDir: pdd,
      keepaliveSeconds: opts.keepaliveSeconds,
      signal: opts.signal,
    });
  } finally {
    await out.close();
    if (!opts.privateDataDir) await Deno.remove(pdd, { recursive: true }).catch(() => {});
  }
}

/** Options of {@link processStream}. */
export interface ProcessStreamOptions {
  input: ReadableStream<Uint8Array>;
  /** Artifacts go to `<artifactDir>`; see processArtifactDir for the CLI's layout. */
  artifactDir: string;
  /** Every event, in order; returning false keeps its file out of `job_events/`. */
  eventHandler?: (event: JobEvent) => boolean | void;
  statusHandler?: (status: JobStatus, info: StatusInfo) => void;
}

/** Records a worker's stream under `artifactDir`; resolves to the job's outcome. */
export async function processStream(opts: ProcessStreamOptions): Promise<ProcessorResult> {
  await Deno.mkdir(opts.artifactDir, { recursive: true, mode: 0o700 });
  const handlers: JobSink = { event: opts.eventHandler, status: opts.statusHandler };
  return await runProcessor({
    input: opts.input,
    artifactDir: opts.artifactDir,
    before: [handlers],
  });
}
