/**
 * The worker's sink: status lines and events as JSON lines on the wire, then the artifact dir
 * as a zipfile frame and `{"eof": true}`. Optional keepalives after N idle seconds, only ever
 * between whole lines and never after eof.
 */
import type { JobEvent } from "../events/event.ts";
import { sendDirectory } from "../streaming/zip_frame.ts";
import { type SyncWriter, writeLine } from "../streaming/wire.ts";
import { writeEventJson } from "./artifacts.ts";
import type { JobSink, JobStatus, StatusInfo } from "./sink.ts";
import { every as repeatEvery, monotonicMs } from "../runtime/timer.ts";

/** Options of {@link WireSink}. */
export interface WireSinkOptions {
  out: SyncWriter;
  /** Zipped and sent when the job ends. */
  artifactDir: string;
  /** Seconds without output before a keepalive line (0: never). */
  keepaliveSeconds?: number;
  /**
   * A keepalive that could not be written (the reader went away while the job was quiet): the
   * job is to stop. Without it, nothing would notice until the job's next output.
   */
  onBroken?: (error: unknown) => void;
}

/** Writes one job onto the wire. */
export class WireSink implements JobSink {
  #opts: WireSinkOptions;
  #last = monotonicMs();
  #stopKeepalive = () => {};
  #closed = false;
  #enc = new TextEncoder();

  constructor(opts: WireSinkOptions) {
    this.#opts = opts;
    const every = opts.keepaliveSeconds ?? 0;
    if (every > 0) {
      this.#stopKeepalive = repeatEvery(Math.min(1000, every * 250), () => {
        if (this.#closed || monotonicMs() - this.#last < every * 1000) return;
        try {
          this.#line({ event: "keepalive" });
        } catch (e) {
          this.#stopKeepalive();
          opts.onBroken?.(e);
        }
      });
    }
  }

  #line(value: unknown): void {
    this.#last = monotonicMs();
    writeLine(this.#opts.out, value);
  }

  status(status: JobStatus, info: StatusInfo): void {
    const { rc: _rc, ...rest } = info; // ansible-runner's status lines carry no rc
    this.#line({ status, ...rest, ...errorDetail(status, info.job_explanation) });
  }

  event(ev: JobEvent): void {
    this.#last = monotonicMs();
    writeEventJson(this.#opts.out, ev, this.#enc, "\n");
  }

  /** Sends the artifacts and eof; stops keepalives first. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopKeepalive();
    await sendDirectory(this.#opts.out, this.#opts.artifactDir);
    writeLine(this.#opts.out, { eof: true });
  }

  /** Ends with an error (or canceled) status and eof, when no job could be run at all. */
  static fail(
    out: SyncWriter,
    explanation: string,
    ident?: string,
    status: "error" | "canceled" = "error",
  ): void {
    writeLine(out, {
      status,
      ...(ident ? { runner_ident: ident } : {}),
      job_explanation: explanation,
      ...errorDetail(status, explanation),
    });
    writeLine(out, { eof: true });
  }
}

/**
 * `result_traceback` for an error status: the one field of it AWX shows its user
 * (ansible-runner puts its traceback there). runner puts the reason there, in words.
 */
function errorDetail(status: string, explanation: string | undefined): Record<string, string> {
  return status === "error" && explanation ? { result_traceback: explanation } : {};
}
