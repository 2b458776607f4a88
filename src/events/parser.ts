/**
 * Turns the job's terminal output into job events. Pure: bytes in, events out.
 *
 * The plugin frames each callback's text as `ESC _ RNR <token> <JSON> ESC \` … text …
 * `ESC _ RNR <token> . ESC \`. Text outside any frame becomes one `verbose` event per line (as
 * Python's `splitlines()` cuts lines).
 * Counters start at 1 and line numbers chain: an event's `start_line` is the previous
 * event's `end_line`.
 */
import { asPluginRecord, type JobEvent, type PluginRecord, setTerminalLineEnd } from "./event.ts";
import { attachSpill, type TextSpill } from "./spill.ts";
import { markStartAtEnd, RECORD_CLOSE as CLOSE, RECORD_OPEN } from "./record_marks.ts";

/** Event text beyond this many characters goes to a spill (when one is given). */
export const SPILL_AT = 1 << 20;

/** Options for {@link EventParser}. */
export interface ParserOptions {
  /** The job's ident, copied into every event as `runner_ident`. */
  ident: string;
  /** pid given to `verbose` events (the job's main process). */
  pid?: number;
  /** Clock for `created` of verbose events (a Date, or epoch milliseconds with their
   * fraction); injectable for tests. */
  now?: () => Date | number;
  /** uuid source for verbose events; injectable for tests. */
  uuid?: () => string;
  /** Where an event's text goes once it passes SPILL_AT characters (the parser stays pure). */
  spill?: (uuid: string) => TextSpill;
  /** The job's frame token (see recordToken); frames without it are text. Default none. */
  token?: string;
}

/** Incremental parser: feed PTY bytes with {@link push}, then call {@link end} once. */
export class EventParser {
  #decoder = new TextDecoder("utf-8", { fatal: false });
  #opts:
    & Required<Omit<ParserOptions, "pid" | "spill" | "token">>
    & Pick<ParserOptions, "pid" | "spill">;
  /** What opens a frame of this job: RECORD_OPEN and the token. */
  #open: string;
  #pending = ""; // undecided tail: a possible marker prefix or an unterminated marker
  #current: PluginRecord | null = null;
  #text: string[] = []; // text of the open event, or of the current verbose line
  #textLen = 0;
  /** A large event's text, once spilled: only its trailing CR/LF run and line count stay here. */
  #spilled: { spill: TextSpill; tail: string; lines: number } | null = null;
  /** Length of the line outside any record that #text holds (no break in it yet). */
  #lineLen = 0;
  /**
   * A line outside any record that outgrew SPILL_AT (a program's output with no newline):
   * its text goes to a spill as it comes; `cr` when a `\r` that a `\n` may follow is held.
   */
  #long: { uuid: string; spill: TextSpill; cr: boolean } | null = null;
  #counter = 0;
  #line = 0;

  constructor(opts: ParserOptions) {
    this.#opts = {
      // To the microsecond, as Python's clock: Date has milliseconds only.
      now: () => performance.timeOrigin + performance.now(),
      uuid: () => crypto.randomUUID(),
      ...opts,
    };
    this.#open = RECORD_OPEN + (opts.token ?? "");
  }

  /** Feeds a chunk of output; returns the events it completed. */
  push(bytes: Uint8Array): JobEvent[] {
    return this.#scan(this.#decoder.decode(bytes, { stream: true }), false);
  }

  /** Flushes what is left (an unclosed event, a last line without newline). */
  end(): JobEvent[] {
    const out = this.#scan(this.#decoder.decode(), true);
    if (this.#pending) {
      this.#addText(this.#pending, out);
      this.#pending = "";
    }
    if (this.#current) this.#closeEvent(out);
    else this.#flushVerbose(out, true);
    return out;
  }

  /** Number of events produced so far. */
  get counter(): number {
    return this.#counter;
  }

  #scan(chunk: string, final: boolean): JobEvent[] {
    const out: JobEvent[] = [];
    let s = this.#pending + chunk;
    this.#pending = "";
    const OPEN = this.#open; // this job's, token included
    while (s.length > 0) {
      const open = s.indexOf(OPEN);
      if (open < 0) {
        // Keep back a tail that could be the start of a marker split across chunks.
        const hold = final ? 0 : markStartAtEnd(s, OPEN);
        this.#addText(s.slice(0, s.length - hold), out);
        this.#pending = s.slice(s.length - hold);
        break;
      }
      if (open > 0) this.#addText(s.slice(0, open), out);
      const close = s.indexOf(CLOSE, open + OPEN.length);
      if (close < 0) {
        if (final) this.#addText(s.slice(open), out);
        else this.#pending = s.slice(open);
        break;
      }
      const payload = s.slice(open + OPEN.length, close);
      const rest = s.slice(close + CLOSE.length);
      if (this.#current && payload !== ".") {
        // A frame that opens inside an open one and ends at once is a fork's empty event (its
        // text goes through the main process): it is an event apart, and the open one stays
        // open. Wait for its end when the chunk stops short of it.
        const end = OPEN + "." + CLOSE;
        if (!final && rest.length < end.length && end.startsWith(rest)) {
          this.#pending = s.slice(open);
          break;
        }
        const record = rest.startsWith(end) ? decodeRecord(payload) : null;
        if (record) {
          out.push(this.#number(record, "", true));
          s = rest.slice(end.length);
          continue;
        }
      }
      this.#marker(payload, s.slice(open, close + CLOSE.length), out);
      s = rest;
    }
    return out;
  }

  #marker(payload: string, raw: string, out: JobEvent[]): void {
    if (payload === ".") {
      if (this.#current) this.#closeEvent(out);
      return;
    }
    const record = decodeRecord(payload);
    if (!record) {
      this.#addText(raw, out); // not ours after all: keep it as text
      return;
    }
    if (this.#current) this.#closeEvent(out);
    else this.#flushVerbose(out, true);
    this.#current = record;
  }

  #addText(text: string, out: JobEvent[]): void {
    if (!text) return;
    if (this.#current) {
      if (this.#spilled) return this.#spillText(text);
      this.#text.push(text);
      this.#textLen += text.length;
      if (this.#textLen > SPILL_AT && this.#opts.spill) {
        const all = this.#text.join("");
        this.#text = [];
        this.#textLen = 0;
        this.#spilled = { spill: this.#opts.spill(this.#current.uuid), tail: "", lines: 0 };
        this.#spillText(all);
      }
      return;
    }
    if (this.#long) {
      text = this.#continueLong(text, out);
      if (!text) return;
    }
    let start = 0;
    for (;;) {
      const nl = text.indexOf("\n", start);
      if (nl < 0) break;
      this.#text.push(text.slice(start, nl + 1));
      this.#flushVerbose(out, false);
      start = nl + 1;
    }
    if (start < text.length) {
      this.#text.push(text.slice(start));
      this.#lineLen += text.length - start;
      if (this.#lineLen > SPILL_AT && this.#opts.spill) this.#startLong(out);
    }
  }

  /**
   * The line held in #text has outgrown SPILL_AT: the whole lines before its last break become
   * events now (ansible-runner would make the same ones at the next newline), and the rest, if
   * still that long, goes to a spill from here on.
   */
  #startLong(out: JobEvent[]): void {
    const lines = pythonLines(this.#text.join(""));
    this.#text = [];
    this.#lineLen = 0;
    let last = lines.pop() ?? "";
    // A line ending in a break is whole, but for a \r, which a \n may yet follow.
    if (LINE_BREAK.test(last.at(-1) ?? "") && !last.endsWith("\r")) {
      lines.push(last);
      last = "";
    }
    for (const line of lines) this.#verboseLine(line, out);
    if (last.length <= SPILL_AT) {
      if (last) this.#text.push(last);
      this.#lineLen = last.length;
      return;
    }
    const uuid = this.#opts.uuid();
    const cr = last.endsWith("\r");
    this.#long = { uuid, spill: this.#opts.spill!(uuid), cr };
    this.#long.spill.append(cr ? last.slice(0, -1) : last);
  }

  /** Text for the spilled line, up to its break; returns what follows the break. */
  #continueLong(text: string, out: JobEvent[]): string {
    const long = this.#long!;
    if (long.cr) {
      long.cr = false;
      const end = text[0] === "\n" ? "\r\n" : "\r";
      this.#endLong(end, out);
      return text.slice(end.length - 1);
    }
    const k = text.search(LINE_BREAK);
    if (k < 0) {
      long.spill.append(text);
      return "";
    }
    if (text[k] === "\r" && k + 1 === text.length) {
      long.spill.append(text.slice(0, k));
      long.cr = true;
      return "";
    }
    const end = text.startsWith("\r\n", k) ? "\r\n" : text[k];
    // \r and \n end the line's stdout; the other breaks (a form feed, …) stay in it.
    const stripped = end === "\r\n" || end === "\r" || end === "\n";
    long.spill.append(text.slice(0, stripped ? k : k + 1));
    this.#endLong(stripped ? end : "", out);
    return text.slice(k + end.length);
  }

  /** Ends the spilled line with its break (`null`: none, the output ended or a record began). */
  #endLong(end: string | null, out: JobEvent[]): void {
    const { uuid, spill } = this.#long!;
    this.#long = null;
    const ev = this.#number(
      { event: "verbose", uuid, pid: this.#opts.pid, created: isoUtc(this.#opts.now()) },
      "",
      false,
      end?.includes("\n") ? 1 : 0,
    );
    out.push(setTerminalLineEnd(attachSpill(ev, spill.close()), end ?? "\n"));
  }

  /**
   * Text outside any record, up to a newline (or all that is left, `partial`), as verbose
   * events: one per line as Python's `splitlines()` cuts them, as ansible-runner does, so a
   * progress bar's `\r` or a form feed starts a new one.
   */
  #flushVerbose(out: JobEvent[], partial: boolean): void {
    if (this.#long) {
      if (partial) this.#endLong(this.#long.cr ? "\r" : null, out);
      return;
    }
    this.#lineLen = 0;
    if (this.#text.length === 0) return;
    const text = this.#text.join("");
    this.#text = [];
    if (partial && text === "") return;
    for (const line of pythonLines(text)) this.#verboseLine(line, out);
  }

  /** One line outside any record (its break included) as a verbose event. */
  #verboseLine(line: string, out: JobEvent[]): void {
    const ev = this.#number(
      {
        event: "verbose",
        uuid: this.#opts.uuid(),
        pid: this.#opts.pid,
        created: isoUtc(this.#opts.now()),
      },
      line,
      false,
    );
    // What is stripped off the line, and, for a last line with no break at all, a newline:
    // written after its text, as ansible-runner writes what comes before a record.
    const end = line.slice(ev.stdout.length);
    out.push(setTerminalLineEnd(ev, end || (LINE_BREAK.test(line.at(-1)!) ? "" : "\n")));
  }

  /** Appends to the spill, holding back a trailing CR/LF run (it is stripped at the end). */
  #spillText(text: string): void {
    const s = this.#spilled!;
    s.lines += countNewlines(text);
    const body = s.tail + text;
    const keep = body.length - body.replace(/[\r\n]+$/, "").length;
    if (body.length > keep) s.spill.append(body.slice(0, body.length - keep));
    s.tail = body.slice(body.length - keep);
  }

  #closeEvent(out: JobEvent[]): void {
    const record = this.#current!;
    this.#current = null;
    if (this.#spilled) {
      const { spill, lines } = this.#spilled;
      this.#spilled = null;
      const ev = this.#number(record, "", true, lines);
      out.push(attachSpill(ev, spill.close()));
      return;
    }
    const text = this.#text.join("");
    this.#text = [];
    this.#textLen = 0;
    out.push(this.#number(record, text, true));
  }

  #number(record: PluginRecord, text: string, withData: boolean, spilledLines?: number): JobEvent {
    const lines = spilledLines ?? countNewlines(text);
    const {
      event,
      uuid,
      pid,
      created,
      parent_uuid,
      event_data,
      job_id,
      ad_hoc_command_id,
      project_update_id,
      ...extra
    } = record;
    // Keys in ansible-runner's order (event files and `-j` lines are read by people and scripts);
    // a line outside any record has its event first, as ansible-runner's own parser makes it.
    const ev: JobEvent = withData ? {} as JobEvent : { event } as JobEvent;
    ev.uuid = uuid;
    ev.counter = ++this.#counter;
    ev.stdout = text.replace(/[\r\n]+$/, "");
    ev.start_line = this.#line;
    ev.end_line = this.#line + lines;
    ev.runner_ident = this.#opts.ident;
    ev.event = event;
    // AWX's ids come right after the event.
    if (job_id !== undefined) ev.job_id = job_id;
    if (ad_hoc_command_id !== undefined) ev.ad_hoc_command_id = ad_hoc_command_id;
    if (project_update_id !== undefined) ev.project_update_id = project_update_id;
    if (pid !== undefined) ev.pid = pid;
    ev.created = created ?? isoUtc(this.#opts.now());
    if (parent_uuid) ev.parent_uuid = parent_uuid;
    Object.assign(ev, extra);
    if (withData) ev.event_data = event_data ?? {};
    this.#line += lines;
    return ev;
  }
}

/** A JSON string, or one of the words Python's json writes for non-finite floats. */
const NON_FINITE = /"(?:[^"\\]|\\.)*"|(-?Infinity|NaN)/g;

function decodeRecord(payload: string): PluginRecord | null {
  try {
    return asPluginRecord(JSON.parse(payload));
  } catch {
    // Python's json writes NaN and ±Infinity (a module may return them), which JSON has no
    // words for: they become null, as JSON.stringify writes them. Only a record that fails
    // to parse pays for this.
    try {
      return asPluginRecord(
        JSON.parse(payload.replace(NON_FINITE, (m, word) => word ? "null" : m)),
      );
    } catch {
      return null;
    }
  }
}

/** The characters Python's `str.splitlines()` ends a line at (and `\r\n` as one break). */
const BREAKS = "\\n\\r\\v\\f\\x1c-\\x1e\\x85\\u2028\\u2029";
const LINE_BREAK = new RegExp(`[${BREAKS}]`);
const PYTHON_LINE = new RegExp(`[^${BREAKS}]*(?:\\r\\n|[${BREAKS}])|[^${BREAKS}]+$`, "g");

/** `text.splitlines(True)`, as Python cuts it: each line keeps its break. */
export function pythonLines(text: string): string[] {
  return text.match(PYTHON_LINE) ?? [];
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf("\n"); i >= 0; i = s.indexOf("\n", i + 1)) n++;
  return n;
}

/**
 * UTC time as Python's `datetime.now(timezone.utc).isoformat()` writes it, as ansible-runner 2.4
 * does: microseconds (the fraction left out when they are 0) and "+00:00".
 */
export function isoUtc(t: Date | number): string {
  const micros = Math.floor((typeof t === "number" ? t : t.getTime()) * 1000);
  const seconds = Math.floor(micros / 1e6);
  const fraction = micros - seconds * 1e6;
  const iso = new Date(seconds * 1000).toISOString().slice(0, 19); // YYYY-MM-DDTHH:MM:SS
  return `${iso}${fraction ? `.${String(fraction).padStart(6, "0")}` : ""}+00:00`;
}
