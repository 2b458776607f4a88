/**
 * The artifacts writer: `job_events/<counter>-<uuid>.json` (each written whole, then renamed
 * into place, 0600), `stdout`, and at the end `status` and `rc`. Shared by `run` and
 * `process`, so their artifacts cannot drift apart.
 */
import { join } from "node:path";
import type { JobEvent } from "../events/event.ts";
import type { JobSink, JobStatus, StatusInfo } from "./sink.ts";

/** Writes `text` to `path` atomically with mode 0600. */
export function writePrivateFile(path: string, text: string | Uint8Array): void {
  const tmp = `${path}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  if (typeof text === "string") Deno.writeTextFileSync(tmp, text, { mode: 0o600 });
  else Deno.writeFileSync(tmp, text, { mode: 0o600 });
  Deno.renameSync(tmp, path);
}

/** Options of {@link ArtifactWriter}. */
export interface ArtifactWriterOptions {
  /** `artifacts/<ident>`: created 0700 if missing. */
  dir: string;
  /** Write events as JSON lines into `stdout` instead of their text. */
  json?: boolean;
  /** Do not write the `stdout` file (setting `suppress_output_file`). */
  suppressOutputFile?: boolean;
}

/** Sink that records a job under its artifact dir. */
export class ArtifactWriter implements JobSink {
  readonly dir: string;
  #eventsDir: string;
  #stdout: Deno.FsFile | null = null;
  #json: boolean;
  #encoder = new TextEncoder();

  constructor(opts: ArtifactWriterOptions) {
    this.dir = opts.dir;
    this.#json = !!opts.json;
    this.#eventsDir = join(opts.dir, "job_events");
    Deno.mkdirSync(this.#eventsDir, { recursive: true, mode: 0o700 });
    if (!opts.suppressOutputFile) {
      this.#stdout = Deno.openSync(join(opts.dir, "stdout"), {
        write: true,
        create: true,
        truncate: true,
        mode: 0o600,
      });
    }
  }

  /** Writes a top-level artifact file (`command`, `stderr`, …) atomically, 0600. */
  writeFile(name: string, text: string): void {
    writePrivateFile(join(this.dir, name), text);
  }

  event(ev: JobEvent): void {
    writePrivateFile(join(this.#eventsDir, `${ev.counter}-${ev.uuid}.json`), JSON.stringify(ev));
    if (this.#stdout) {
      const line = this.#json ? JSON.stringify(ev) + "\n" : ev.stdout ? ev.stdout + "\n" : "";
      if (line) writeAll(this.#stdout, this.#encoder.encode(line));
    }
  }

  status(status: JobStatus, info: StatusInfo): void {
    if (info.rc === undefined) return; // only final statuses are recorded
    this.writeFile("rc", String(info.rc));
    this.writeFile("status", status);
  }

  close(): void {
    this.#stdout?.close();
    this.#stdout = null;
  }
}

/** Writes every byte (writeSync may write less than asked). */
export function writeAll(file: { writeSync(p: Uint8Array): number }, bytes: Uint8Array): void {
  for (let off = 0; off < bytes.length;) off += file.writeSync(bytes.subarray(off));
}
