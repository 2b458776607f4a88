/**
 * Large event text goes to a file as it arrives instead of memory: a task that prints
 * 200,000 lines is one event of many megabytes. Writers stream it from the file; the `stdout`
 * property reads it only when something asks for the whole string.
 */
import type { JobEvent } from "./event.ts";
import { GcBudget } from "../runtime/gc.ts";

/** Bytes between two garbage collections while streaming a large text (see collectGarbage). */
const GC_BYTES = 4 << 20;

/** Where a spilled event's text is. */
export interface SpilledText {
  path: string;
  /**
   * What the file could not take (a full disk), kept in memory and read after the file's
   * text: the event stays whole for every sink, if not on disk.
   */
  rest?: Uint8Array[];
}

/** Receives one event's text in pieces. */
export interface TextSpill {
  append(text: string): void;
  /** Ends the text; returns where it is. */
  close(): SpilledText;
}

const SPILL = Symbol("runner.spilledText");

/** The spilled text of an event, if its text was spilled. */
export function spilledText(ev: JobEvent): SpilledText | undefined {
  return (ev as unknown as Record<symbol, SpilledText | undefined>)[SPILL];
}

/** Makes `ev.stdout` read the spilled file on demand. */
export function attachSpill(ev: JobEvent, spilled: SpilledText): JobEvent {
  Object.defineProperty(ev, SPILL, { value: spilled, enumerable: false });
  Object.defineProperty(ev, "stdout", {
    get: () => [...spilledSlices(spilled)].join(""),
    enumerable: true,
    configurable: true,
  });
  return ev;
}

/** Replaces the lazy `stdout` with the real string (for consumers that keep events). */
export function materialize(ev: JobEvent): JobEvent {
  const spilled = spilledText(ev);
  if (!spilled) return ev;
  const text = [...spilledSlices(spilled)].join("");
  Object.defineProperty(ev, "stdout", { value: text, enumerable: true, writable: true });
  return ev;
}

/** Removes a spill's file, if it was made. */
export function removeSpill(spilled: SpilledText): void {
  try {
    Deno.removeSync(spilled.path);
  } catch { /* never made (a full disk), or gone */ }
}

/** Reads a spilled text in slices: the file's, then what it could not take. */
export function* spilledSlices(spilled: SpilledText, size = 1 << 16): Generator<string> {
  const dec = new TextDecoder();
  let file: Deno.FsFile | null = null;
  try {
    file = Deno.openSync(spilled.path);
  } catch { /* never made: all of it is in memory */ }
  if (file) yield* fileSlices(file, dec, size);
  for (const bytes of spilled.rest ?? []) {
    const text = dec.decode(bytes, { stream: true });
    if (text) yield text;
  }
  const last = dec.decode();
  if (last) yield last;
}

function* fileSlices(file: Deno.FsFile, dec: TextDecoder, size: number): Generator<string> {
  const buf = new Uint8Array(size);
  const gc = new GcBudget(GC_BYTES);
  try {
    for (;;) {
      const n = file.readSync(buf);
      if (n === null || n === 0) break;
      gc.add(n);
      const text = dec.decode(buf.subarray(0, n), { stream: true });
      if (text) yield text;
    }
  } finally {
    file.close();
  }
}

/** A spill file (0600), masking secrets on the way with an overlap for split matches. */
export class FileSpill implements TextSpill {
  #file: Deno.FsFile | null = null;
  #path: string;
  #mask: (s: string) => string;
  #hold: number;
  #pending = "";
  #enc = new TextEncoder();
  /** Set once the file refuses a write (a full disk): the text from there on stays here. */
  #rest: Uint8Array[] | null = null;
  #onError: (e: Error) => void;

  /** `onError` hears of a file that cannot be made or written (the text then stays in memory). */
  constructor(
    path: string,
    mask: (s: string) => string = (s) => s,
    longestSecret = 0,
    onError: (e: Error) => void = () => {},
  ) {
    this.#path = path;
    this.#mask = mask;
    this.#hold = Math.max(0, longestSecret - 1);
    this.#onError = onError;
    try {
      this.#file = Deno.openSync(path, { write: true, create: true, truncate: true, mode: 0o600 });
    } catch (e) {
      this.#rest = [];
      onError(e as Error);
    }
  }

  append(text: string): void {
    this.#pending = this.#mask(this.#pending + text);
    let keep = Math.min(this.#hold, this.#pending.length);
    const cut = this.#pending.length - keep;
    if (cut > 0 && (this.#pending.charCodeAt(cut) & 0xfc00) === 0xdc00) keep++; // keep pairs whole
    const out = this.#pending.slice(0, this.#pending.length - keep);
    this.#pending = this.#pending.slice(this.#pending.length - keep);
    if (out) this.#write(out);
  }

  #gc = new GcBudget(GC_BYTES);

  #write(s: string): void {
    const bytes = this.#enc.encode(s);
    if (this.#rest) return void this.#rest.push(bytes);
    this.#gc.add(bytes.length);
    let o = 0;
    try {
      while (o < bytes.length) o += this.#file!.writeSync(bytes.subarray(o));
    } catch (e) {
      this.#rest = [bytes.slice(o)];
      this.#onError(e as Error);
    }
  }

  close(): SpilledText {
    if (this.#pending) this.#write(this.#mask(this.#pending));
    this.#file?.close();
    return this.#rest ? { path: this.#path, rest: this.#rest } : { path: this.#path };
  }
}
