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
    get: () => Deno.readTextFileSync(spilled.path),
    enumerable: true,
    configurable: true,
  });
  return ev;
}

/** Replaces the lazy `stdout` with the real string (for consumers that keep events). */
export function materialize(ev: JobEvent): JobEvent {
  const spilled = spilledText(ev);
  if (!spilled) return ev;
  const text = Deno.readTextFileSync(spilled.path);
  Object.defineProperty(ev, "stdout", { value: text, enumerable: true, writable: true });
  return ev;
}

/** Reads a spilled file in text slices. */
export function* spilledSlices(spilled: SpilledText, size = 1 << 16): Generator<string> {
  const file = Deno.openSync(spilled.path);
  const buf = new Uint8Array(size);
  const dec = new TextDecoder();
  const gc = new GcBudget(GC_BYTES);
  try {
    for (;;) {
      const n = file.readSync(buf);
      if (n === null || n === 0) break;
      gc.add(n);
      const text = dec.decode(buf.subarray(0, n), { stream: true });
      if (text) yield text;
    }
    const rest = dec.decode();
    if (rest) yield rest;
  } finally {
    file.close();
  }
}

/** A spill file (0600), masking secrets on the way with an overlap for split matches. */
export class FileSpill implements TextSpill {
  #file: Deno.FsFile;
  #path: string;
  #mask: (s: string) => string;
  #hold: number;
  #pending = "";
  #enc = new TextEncoder();

  constructor(path: string, mask: (s: string) => string = (s) => s, longestSecret = 0) {
    this.#path = path;
    this.#file = Deno.openSync(path, { write: true, create: true, truncate: true, mode: 0o600 });
    this.#mask = mask;
    this.#hold = Math.max(0, longestSecret - 1);
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
    this.#gc.add(bytes.length);
    for (let o = 0; o < bytes.length;) o += this.#file.writeSync(bytes.subarray(o));
  }

  close(): SpilledText {
    if (this.#pending) this.#write(this.#mask(this.#pending));
    this.#file.close();
    return { path: this.#path };
  }
}
