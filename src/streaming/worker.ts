/**
 * `worker`: reads a transmit stream, runs the job in its private data dir, and writes status,
 * events, the artifacts and eof. A stream it cannot read ends in an `error` status and eof,
 * with nothing run.
 */
import { ConfigError, osFailure } from "../config/errors.ts";
import { type JobSpec, prepareJob } from "../config/job_spec.ts";
import { executeJob, type JobResult } from "../job/execute.ts";
import { WireSink } from "../sinks/wire.ts";
import { HandlerFailure } from "../sinks/sink.ts";
import { ByteReader } from "./byte_reader.ts";
import { optionsFromKwargs } from "./kwargs.ts";
import { parseWireLine, type SyncWriter, WireError } from "./wire.ts";
import { receiveDirectory, ScratchWriteError } from "./zip_frame.ts";

/** Lines longer than this are refused (a transmit stream has only small lines). */
const MAX_LINE = 64 << 20;

/** Inputs of {@link runWorker}. */
export interface WorkerOptions {
  input: ReadableStream<Uint8Array>;
  out: SyncWriter;
  privateDataDir: string;
  keepaliveSeconds?: number;
  signal?: AbortSignal;
  log?: (msg: string) => void;
  /** This process runs nothing but the job (the command line): see ExecuteOptions. */
  adopts?: boolean;
}

/**
 * What the worker did: the job's result, or an error before any job ran (`canceled`: a cancel
 * while the job was being received).
 */
export type WorkerOutcome =
  | { ran: true; result: JobResult }
  | { ran: false; error: string; canceled?: boolean };

/** Reads the stream up to eof: kwargs and the private data dir. */
async function receive(reader: ByteReader, pdd: string): Promise<Record<string, unknown>> {
  let kwargs: Record<string, unknown> | null = null;
  for (;;) {
    const line = await reader.readLine(MAX_LINE);
    if (line === null) throw new WireError("the transmit stream ended before eof");
    const text = new TextDecoder().decode(line).trim();
    if (text === "") continue;
    const msg = parseWireLine(text);
    if (msg.kind === "kwargs") kwargs = msg.kwargs;
    else if (msg.kind === "zipfile") await receiveDirectory(reader, msg.size, pdd);
    else if (msg.kind === "eof") break;
    else if (msg.kind !== "keepalive") {
      throw new WireError(`unexpected ${msg.kind} message in a transmit stream`);
    }
  }
  if (!kwargs) throw new WireError("the transmit stream had no kwargs");
  return kwargs;
}

/** Runs the worker to the end. */
export async function runWorker(opts: WorkerOptions): Promise<WorkerOutcome> {
  const reader = new ByteReader(opts.input);
  // A cancel while the job is being received (a slow link, a large project) stops the reading:
  // what is read so far is not waited on, and no job starts.
  const stopReading = () => void reader.cancel();
  if (opts.signal?.aborted) stopReading();
  opts.signal?.addEventListener("abort", stopReading);
  let kwargs: Record<string, unknown>;
  try {
    kwargs = await receive(reader, opts.privateDataDir);
    reader.release();
  } catch (e) {
    await reader.cancel();
    if (opts.signal?.aborted) {
      const msg = "Job was canceled before it started (while it was being received)";
      WireSink.fail(opts.out, msg, undefined, "canceled");
      return { ran: false, error: msg, canceled: true };
    }
    // A full or read-only disk is this node's trouble, not the stream's: said as such.
    const reason = osFailure((e as Error).message);
    const msg = e instanceof ScratchWriteError
      ? `Failed to receive the private data dir: ${e.message}`
      : reason !== null
      ? `Failed to extract the private data dir into ${opts.privateDataDir}: ${reason}`
      : `Failed to read the transmit stream: ${(e as Error).message}`;
    WireSink.fail(opts.out, msg);
    return { ran: false, error: msg };
  } finally {
    opts.signal?.removeEventListener("abort", stopReading);
  }
  let spec: JobSpec | undefined;
  try {
    const { options, warnings } = optionsFromKwargs(kwargs, opts.privateDataDir);
    for (const w of warnings) opts.log?.(w);
    spec = await prepareJob(options, Deno.env.toObject());
    for (const w of spec.warnings) opts.log?.(w);
    // The reader gone while the job is quiet (a keepalive failed) stops the job as an error.
    const broken = new AbortController();
    const wire = new WireSink({
      out: opts.out,
      artifactDir: spec.artifactDir,
      keepaliveSeconds: opts.keepaliveSeconds,
      onBroken: (e) =>
        broken.abort(new HandlerFailure(`the output was closed: ${(e as Error).message}`)),
    });
    const result = await executeJob(spec, {
      // Events travel on the wire and `process` records them: the worker writes no event
      // files, as ansible-runner's does not (its artifacts zip would carry every event twice).
      before: [{ event: () => false }],
      after: [wire],
      signal: opts.signal ? AbortSignal.any([opts.signal, broken.signal]) : broken.signal,
      log: opts.log,
      adopts: opts.adopts,
    });
    return { ran: true, result };
  } catch (e) {
    // Bad input (the kwargs, or an artifact dir that cannot be made): nothing ran.
    if (!(e instanceof ConfigError)) throw e;
    const ident = spec?.ident ?? (typeof kwargs.ident === "string" ? kwargs.ident : undefined);
    WireSink.fail(opts.out, e.message, ident);
    return { ran: false, error: e.message };
  }
}
