/**
 * The artifacts writer: `job_events/<counter>-<uuid>.json` (each written whole, then renamed
 * into place, 0600), `stdout`, and at the end `status` and `rc`. Shared by `run` and
 * `process`, so their artifacts cannot drift apart.
 */
import { join } from "../runtime/path.ts";
import { osError } from "../config/errors.ts";
import { type JobEvent, terminalLineEnd } from "../events/event.ts";
import type { JobSink, JobStatus, StatusInfo } from "./sink.ts";
import { spilledSlices, spilledText } from "../events/spill.ts";
import { PythonJson, pythonJson, pythonStringBody } from "./python_json.ts";

/**
 * Writes `text` to `path` atomically with mode 0600, through `tmp`; a write that fails
 * leaves no temporary file behind.
 */
export function writePrivateFile(
  path: string,
  text: string | Uint8Array,
  tmp = `${path}.${crypto.randomUUID().slice(0, 8)}.tmp`,
): void {
  try {
    if (typeof text === "string") Deno.writeTextFileSync(tmp, text, { mode: 0o600 });
    else Deno.writeFileSync(tmp, text, { mode: 0o600 });
    Deno.renameSync(tmp, path);
  } catch (e) {
    try {
      Deno.removeSync(tmp);
    } catch { /* never made */ }
    throw e;
  }
}

/**
 * An onWriteError for a job's artifact dir: the first failure is said on stderr (a full disk
 * shows at once) with what goes on regardless, each one in `log`. {@link unwrittenSummary} says
 * how many at the end.
 */
export function writeErrorReporter(
  dir: string,
  log: (msg: string) => void = () => {},
  goesOn = "the job goes on",
): (file: string, error: Error) => void {
  let errors = 0;
  return (file, error) => {
    const why = osError(error.message).reason;
    log(`cannot write ${file} in ${dir}: ${why}`);
    if (errors++ === 0) {
      console.error(
        `runner: warning: cannot write ${file} in ${dir}: ${why}; ${goesOn}, its artifacts incomplete`,
      );
    }
  };
}

/** Says on stderr how many artifact writes failed or were skipped, when more than the first. */
export function unwrittenSummary(artifacts: ArtifactWriter): void {
  if (artifacts.unwritten > 1) {
    console.error(
      `runner: warning: ${artifacts.unwritten} artifact writes failed or were skipped in ` +
        artifacts.dir,
    );
  }
}

/** Options of {@link ArtifactWriter}. */
export interface ArtifactWriterOptions {
  /** `artifacts/<ident>`: created 0700 if missing. */
  dir: string;
  /** Write events as JSON lines into `stdout` instead of their text. */
  json?: boolean;
  /** Do not write the `stdout` file (setting `suppress_output_file`). */
  suppressOutputFile?: boolean;
  /**
   * Hears of an artifact that could not be written once the job runs (a full disk): the job
   * and the other sinks go on without it. Without it, such a write throws.
   */
  onWriteError?: (file: string, error: Error) => void;
}

/**
 * Sink that records a job under its artifact dir. The dir is made at once (a dir that cannot
 * be made is bad input, found before anything runs); `job_events/` and `stdout` by
 * {@link ArtifactWriter.open}, which a job calls once it runs (creating files costs
 * milliseconds on some disks, and a job's start need not wait for them), or else the first
 * event or the end.
 */
export class ArtifactWriter implements JobSink {
  readonly dir: string;
  #eventsDir: string;
  #stdout: Deno.FsFile | null = null;
  #opened = false;
  #json: boolean;
  #suppressOutputFile: boolean;
  #encoder = new TextEncoder();
  #onWriteError?: (file: string, error: Error) => void;

  constructor(opts: ArtifactWriterOptions) {
    this.dir = opts.dir;
    this.#json = !!opts.json;
    this.#suppressOutputFile = !!opts.suppressOutputFile;
    this.#onWriteError = opts.onWriteError;
    this.#eventsDir = join(opts.dir, "job_events");
    Deno.mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
  }

  /** Writes that failed, or were skipped after a failure. */
  #unwritten = 0;
  /** After a failed write of a kind (event files, stdout), when to try that kind again. */
  #retryAt = new Map<string, number>();

  /** How many artifact writes failed, or were skipped while their kind kept failing. */
  get unwritten(): number {
    return this.#unwritten;
  }

  /**
   * Runs a write; one that fails goes to onWriteError, where there is one, and writes of its
   * kind are skipped for a second: each failed attempt costs system calls, at every event.
   */
  #guard(file: string, write: () => void, undo?: () => void, kind = file): void {
    if (!this.#onWriteError) return write();
    const retryAt = this.#retryAt.get(kind);
    if (retryAt !== undefined && performance.now() < retryAt) {
      this.#unwritten++;
      return;
    }
    try {
      write();
      this.#retryAt.delete(kind);
    } catch (e) {
      try {
        undo?.();
      } catch { /* nothing more to do */ }
      this.#unwritten++;
      this.#retryAt.set(kind, performance.now() + 1000);
      this.#onWriteError(file, e as Error);
    }
  }

  /** Makes `job_events/` and `stdout`, once. */
  open(): void {
    if (this.#opened) return;
    this.#opened = true;
    this.#guard(
      "job_events",
      () => Deno.mkdirSync(this.#eventsDir, { recursive: true, mode: 0o700 }),
    );
    if (!this.#suppressOutputFile) {
      this.#guard("stdout", () => {
        this.#stdout = Deno.openSync(join(this.dir, "stdout"), {
          write: true,
          create: true,
          truncate: true,
          mode: 0o600,
        });
      });
    }
  }

  /** Writes a top-level artifact file (`command`, `rc`, …) atomically, 0600. */
  writeFile(name: string, text: string): void {
    this.#guard(name, () => writePrivateFile(join(this.dir, name), text));
  }

  /** Writes `stderr`, unless `suppress_output_file` leaves out both output files. */
  writeStderr(text: string): void {
    if (!this.#suppressOutputFile) this.writeFile("stderr", text);
  }

  /** Records the event: its file in `job_events/` (unless `file` is false), its text in `stdout`. */
  event(ev: JobEvent, file = true): void {
    this.open();
    // Most events are small: their JSON is made once, for the event file and a -j stdout line,
    // in the layout of Python's json.dump (what ansible-runner writes: `grep '"event": "…"'`
    // works on both; the reformatting costs ~4 µs an event, see README, Artifacts).
    const compact = file || this.#json ? smallEventJson(ev) : null;
    const json = compact === null ? null : pythonJson(compact);
    if (file) this.#eventFile(ev, json);
    const stdout = this.#stdout;
    if (!stdout) return;
    this.#guard("stdout", () => {
      if (!this.#json || isTerminalLine(ev)) writeEventText(stdout, ev, this.#encoder);
      else if (json !== null) writeAll(stdout, this.#encoder.encode(json + "\n"));
      else writeEventJson(stdout, ev, this.#encoder, "\n", new PythonJson());
    });
  }

  /** The event's file, written whole or not at all; `json` is its text when small enough. */
  #eventFile(ev: JobEvent, json: string | null): void {
    const path = join(this.#eventsDir, `${ev.counter}-${ev.uuid}.json`);
    const tmp = `${path}.tmp`;
    const name = `job_events/${ev.counter}-${ev.uuid}.json`;
    this.#guard(
      name,
      () => {
        if (json !== null) return writePrivateFile(path, this.#encoder.encode(json), tmp);
        const file = Deno.openSync(tmp, { write: true, create: true, truncate: true, mode: 0o600 });
        try {
          writeEventJson(file, ev, this.#encoder, "", new PythonJson());
        } finally {
          file.close();
        }
        Deno.renameSync(tmp, path);
      },
      () => Deno.removeSync(tmp),
      "job_events",
    ); // no half-written event left behind
  }

  status(status: JobStatus, info: StatusInfo): void {
    if (info.rc === undefined) return; // only final statuses are recorded
    this.open();
    this.writeFile("rc", String(info.rc));
    this.writeFile("status", status);
  }

  close(): void {
    this.open(); // a job without events still has both
    this.#stdout?.close();
    this.#stdout = null;
  }
}

/** Large strings are encoded and written in slices of this many characters. */
const SLICE = 1 << 16;

/** Slices of `text` of about SLICE characters, never splitting a surrogate pair. */
function* slices(text: string): Generator<string> {
  for (let i = 0; i < text.length;) {
    let end = Math.min(i + SLICE, text.length);
    if (end < text.length && (text.charCodeAt(end - 1) & 0xfc00) === 0xd800) end++;
    yield text.slice(i, end);
    i = end;
  }
}

/**
 * Whether the event is text that reached the terminal outside any event record: a `verbose`
 * event without event_data, which the parser made (the plugin's records always carry
 * event_data). ansible-runner copies such lines to the console and `stdout` as they came,
 * with `-j` too.
 */
export function isTerminalLine(ev: JobEvent): boolean {
  return ev.event === "verbose" && !("event_data" in ev);
}

/**
 * Writes an event's stdout and a newline (streamed from its spill file when it has one);
 * writes nothing for an event without text. A terminal line (isTerminalLine) is written as the
 * terminal gave it, blank or not, with the break it came with (terminalLineEnd: `\r\n`, a
 * progress bar's `\r`), or, from the wire, `\r\n` for a whole line: ansible-runner copies such
 * lines as they come, so an error's blank lines stay.
 */
export function writeEventText(
  file: Writable,
  ev: JobEvent,
  enc: TextEncoder,
  transform: (s: string) => string = (s) => s,
): void {
  const spilled = spilledText(ev);
  const end = terminalLineEnd(ev);
  if (spilled) {
    for (const part of spilledSlices(spilled)) writeAll(file, enc.encode(transform(part)));
    writeAll(file, end === undefined ? NEWLINE : enc.encode(end));
    return;
  }
  if (end !== undefined) writeText(file, transform(ev.stdout), enc, end);
  else if (isTerminalLine(ev) && ev.end_line > ev.start_line) {
    writeText(file, transform(ev.stdout), enc, "\r\n");
  } else if (ev.stdout) writeText(file, transform(ev.stdout), enc, "\n");
}

const NEWLINE = new Uint8Array([10]);

/**
 * Writes a string and `end` in slices, so a huge event's text is never copied whole; a small
 * one goes in one write (one system call per event and sink matters at thousands of events).
 */
export function writeText(file: Writable, text: string, enc: TextEncoder, end = ""): void {
  if (text.length < SLICE) return writeAll(file, enc.encode(text + end));
  for (const part of slices(text)) writeAll(file, enc.encode(part));
  if (end) writeAll(file, enc.encode(end));
}

/**
 * Writes an event as JSON, the `stdout` value escaped slice by slice: the same bytes as
 * JSON.stringify, without building the whole document when the text is large.
 */
export function writeEventJson(
  file: Writable,
  ev: JobEvent,
  enc: TextEncoder,
  end = "",
  layout?: PythonJson,
): void {
  // Written in Python's layout (files and `-j`, as ansible-runner writes them) or compact (wire).
  const json = (s: string) => layout ? layout.push(s) : s;
  const small = smallEventJson(ev);
  if (small !== null) return writeAll(file, enc.encode(json(small) + end));
  const spilled = spilledText(ev);
  // The fields in the event's own order (a terminal line has its event first), read from their
  // descriptors: reading `stdout` would call a spilled text's getter.
  const fields = Object.getOwnPropertyDescriptors(ev);
  const keys = Object.keys(ev);
  const at = keys.indexOf("stdout");
  const pick = (names: string[]) =>
    JSON.stringify(Object.fromEntries(names.map((k) => [k, fields[k].value])));
  const before = pick(keys.slice(0, at));
  const head = `${before === "{}" ? "{" : `${before.slice(0, -1)},`}"stdout":"`;
  writeAll(file, enc.encode(json(head)));
  for (const part of spilled ? spilledSlices(spilled) : slices(ev.stdout)) {
    const body = JSON.stringify(part).slice(1, -1); // inside the string: the layout's state holds
    writeAll(file, enc.encode(layout ? pythonStringBody(body) : body));
  }
  const tail = pick(keys.slice(at + 1));
  writeAll(file, enc.encode(json(tail === "{}" ? '"}' : `",${tail.slice(1)}`) + end));
}

/** An event's JSON when its text is small and in memory; null when it must be streamed. */
export function smallEventJson(ev: JobEvent): string | null {
  return !spilledText(ev) && ev.stdout.length < SLICE ? JSON.stringify(ev) : null;
}

type Writable = { writeSync(p: Uint8Array): number };

/** Writes every byte (writeSync may write less than asked). */
export function writeAll(file: { writeSync(p: Uint8Array): number }, bytes: Uint8Array): void {
  for (let off = 0; off < bytes.length;) off += file.writeSync(bytes.subarray(off));
}
