/**
 * `process`: reads a worker's stream on the controller and records it with the same artifacts
 * writer as `run`: job_events/, stdout on the console, then the worker's artifact dir.
 */
import { ArtifactWriter, unwrittenSummary, writeErrorReporter } from "../sinks/artifacts.ts";
import { dispatchEvent, FINAL_STATUSES, type JobSink, type JobStatus } from "../sinks/sink.ts";
import { ByteReader } from "./byte_reader.ts";
import { osFailure } from "../config/errors.ts";
import { parseWireLine, WireError } from "./wire.ts";
import { receiveDirectory } from "./zip_frame.ts";

/** Event lines can carry a whole task's output. */
const MAX_LINE = 512 << 20;

/** Inputs of {@link runProcessor}. */
export interface ProcessorOptions {
  input: ReadableStream<Uint8Array>;
  /** Where job_events/ and the artifacts go. */
  artifactDir: string;
  /** Sinks before the artifacts writer: a false from `event` keeps that event's file out. */
  before?: JobSink[];
  /** Console and other sinks (after the artifacts writer). */
  after?: JobSink[];
}

/** The outcome as the stream told it. */
export interface ProcessorResult {
  status: JobStatus | "unstarted";
  rc: number;
  error?: string;
}

/** Reads the stream to eof. Never throws for a bad stream: the result says what went wrong. */
export async function runProcessor(opts: ProcessorOptions): Promise<ProcessorResult> {
  // A full disk leaves the artifacts incomplete, said once; the events still reach the console.
  const artifacts = new ArtifactWriter({
    dir: opts.artifactDir,
    onWriteError: writeErrorReporter(opts.artifactDir, undefined, "the stream is read on"),
  });
  const before = opts.before ?? [];
  const after = opts.after ?? [];
  const sinks: JobSink[] = [...before, artifacts, ...after];
  const reader = new ByteReader(opts.input);
  let status: JobStatus | "unstarted" = "unstarted";
  let error: string | undefined;
  let ident = "";
  try {
    for (;;) {
      const line = await reader.readLine(MAX_LINE);
      if (line === null) throw new WireError("the worker stream ended before eof");
      const text = new TextDecoder().decode(line);
      if (text.trim() === "") continue;
      const msg = parseWireLine(text);
      if (msg.kind === "eof") break;
      if (msg.kind === "keepalive") continue;
      if (msg.kind === "status") {
        status = msg.status as JobStatus;
        ident = typeof msg.data.runner_ident === "string" ? msg.data.runner_ident : ident;
        if (status === "error" && typeof msg.data.job_explanation === "string") {
          error = msg.data.job_explanation;
        }
        for (const s of [...before, ...after]) {
          s.status?.(status, { runner_ident: ident, ...msg.data });
        }
      } else if (msg.kind === "event") {
        dispatchEvent(msg.event, before, artifacts, after);
      } else if (msg.kind === "zipfile") {
        artifacts.close();
        try {
          await receiveDirectory(reader, msg.size, opts.artifactDir);
        } catch (e) {
          // A full disk, say: named as such (a bad stream says itself what is wrong).
          const reason = osFailure((e as Error).message);
          if (reason === null) throw e;
          throw new Error(
            `cannot unpack the worker's artifacts into ${opts.artifactDir}: ${reason}`,
          );
        }
      } else {
        throw new WireError(`unexpected ${msg.kind} message in a worker stream`);
      }
    }
    reader.release();
  } catch (e) {
    error = (e as Error).message;
    status = "error";
    await reader.cancel();
  } finally {
    artifacts.close();
    for (const s of sinks) await s.close?.();
    unwrittenSummary(artifacts);
  }
  if (status === "error") {
    artifacts.writeFile("status", "error");
    artifacts.writeFile("rc", "1");
    return { status, rc: 1, error };
  }
  if (!FINAL_STATUSES.includes(status as JobStatus)) {
    return { status, rc: 1, error: `the worker stream ended with status ${status}` };
  }
  try {
    const text = Deno.readTextFileSync(`${opts.artifactDir}/rc`).trim();
    if (/^-?\d+$/.test(text)) return { status, rc: Number(text) };
  } catch { /* no rc artifact */ }
  // A worker that ran no job (canceled while it received it) sent no artifacts: the status
  // says it all, with the rc a job ended that way has.
  const rc = status === "successful" ? 0 : status === "canceled" || status === "timeout" ? 254 : 1;
  artifacts.writeFile("status", status);
  artifacts.writeFile("rc", String(rc));
  return { status, rc };
}
