/**
 * The ansible-runner 2.x streaming protocol (transmit → worker → process): JSON lines, with a
 * `{"zipfile": N}` line followed directly by the base64 of an N-byte zip. Messages are typed
 * and validated here, where they enter.
 */
import type { JobEvent } from "../events/event.ts";
import { pythonJsonNumber } from "../config/py_scalars.ts";

/** One decoded line of the wire. */
export type WireMessage =
  | { kind: "kwargs"; kwargs: Record<string, unknown> }
  | { kind: "zipfile"; size: number }
  | { kind: "eof" }
  | { kind: "status"; status: string; data: Record<string, unknown> }
  | { kind: "keepalive" }
  | { kind: "event"; event: JobEvent };

/** A line that is not a valid message; the message quotes it, truncated. */
export class WireError extends Error {
  constructor(what: string, line?: string) {
    super(line === undefined ? what : `${what}: ${quote(line)}`);
    this.name = "WireError";
  }
}

/** The start of a line, for error messages (never the whole of a huge line). */
export function quote(line: string, max = 120): string {
  return JSON.stringify(line.length > max ? line.slice(0, max) + "…" : line);
}

/** Characters a uuid may use in an event file name (no path separators, no dots). */
const UUID_RE = /^[A-Za-z0-9_-]{1,80}$/;

/** Decodes and validates one line. Throws WireError. */
export function parseWireLine(text: string): WireMessage {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new WireError("not a JSON line", text);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new WireError("not a JSON object", text);
  }
  const d = data as Record<string, unknown>;
  if ("kwargs" in d) {
    if (typeof d.kwargs !== "object" || d.kwargs === null || Array.isArray(d.kwargs)) {
      throw new WireError("kwargs is not an object", text);
    }
    return { kind: "kwargs", kwargs: withPythonNumbers(text) };
  }
  if ("zipfile" in d) {
    if (typeof d.zipfile !== "number" || !Number.isSafeInteger(d.zipfile) || d.zipfile < 0) {
      throw new WireError("zipfile is not a byte count", text);
    }
    return { kind: "zipfile", size: d.zipfile };
  }
  if ("eof" in d) return { kind: "eof" };
  if ("status" in d) {
    if (typeof d.status !== "string") throw new WireError("status is not a string", text);
    return { kind: "status", status: d.status, data: d };
  }
  if (d.event === "keepalive") return { kind: "keepalive" };
  if (typeof d.event === "string") {
    if (!Number.isSafeInteger(d.counter) || (d.counter as number) < 1) {
      throw new WireError("event without a valid counter", text);
    }
    if (typeof d.uuid !== "string" || !UUID_RE.test(d.uuid)) {
      throw new WireError("event without a valid uuid", text);
    }
    if (typeof d.stdout !== "string") d.stdout = "";
    return { kind: "event", event: d as unknown as JobEvent };
  }
  throw new WireError("unknown message", text);
}

/** kwargs whose values become text, as Python's str() writes them: 1.0 stays `1.0` there. */
const TEXT_KWARGS = ["envvars", "passwords"];

/**
 * The kwargs of a kwargs line (already known to be valid JSON), read again noting each
 * number's text, so that numbers in envvars and passwords are what Python's worker holds (a
 * float `1.0`, a 20-digit integer) and not JavaScript's reading of them. One line per stream.
 */
function withPythonNumbers(text: string): Record<string, unknown> {
  const sources = new WeakMap<object, Map<string, string>>();
  const { kwargs } = JSON.parse(
    text,
    function (this: object, key: string, value: unknown, context?: { source?: string }) {
      if (typeof value === "number" && context?.source !== undefined) {
        const bySource = sources.get(this) ?? new Map<string, string>();
        sources.set(this, bySource.set(key, context.source));
      }
      return value;
    },
  );
  for (const name of TEXT_KWARGS) {
    const values = kwargs[name];
    const bySource = typeof values === "object" && values !== null && sources.get(values);
    if (!bySource) continue;
    for (const [key, source] of bySource) {
      values[key] = pythonJsonNumber(values[key], source);
    }
  }
  return kwargs;
}

/** Something lines can be written to synchronously (stdout, a file). */
export interface SyncWriter {
  writeSync(p: Uint8Array): number;
}

const enc = new TextEncoder();

/** Writes one JSON line. */
export function writeLine(out: SyncWriter, value: unknown): void {
  writeBytes(out, enc.encode(JSON.stringify(value) + "\n"));
}

/** Writes every byte. */
export function writeBytes(out: SyncWriter, bytes: Uint8Array): void {
  for (let off = 0; off < bytes.length;) off += out.writeSync(bytes.subarray(off));
}
