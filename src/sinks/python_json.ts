/**
 * JSON as Python's `json.dumps` writes it by default: `", "` and `": "` between items, and DEL
 * and every character beyond ASCII as a `\uXXXX` escape. How event files, `command` (with
 * characters beyond ASCII as they are) and `-j` lines are written, as ansible-runner writes them,
 * so that what an operator's script greps for (`"event": "runner_on_failed"`) is found in both. Numbers stay as JavaScript writes them (an integral float such as 1.0 was an
 * integer by the time it reached runner).
 * @module
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;

/** Reformats compact JSON (JSON.stringify's) in pieces; `inString` carries over between them. */
export class PythonJson {
  #inString = false;
  #escaped = false;
  #ascii: boolean;

  /** `ascii: false` keeps characters beyond ASCII as they are (`ensure_ascii=False`). */
  constructor(opts: { ascii?: boolean } = {}) {
    this.#ascii = opts.ascii ?? true;
  }

  /** The next piece of the document, reformatted. */
  push(json: string): string {
    let out = "";
    let from = 0;
    for (let i = 0; i < json.length; i++) {
      const c = json.charCodeAt(i);
      if (this.#inString) {
        if (this.#escaped) this.#escaped = false;
        else if (c === BACKSLASH) this.#escaped = true;
        else if (c === QUOTE) this.#inString = false;
        else if (c >= 0x7f && this.#ascii) {
          out += json.slice(from, i) + "\\u" + c.toString(16).padStart(4, "0");
          from = i + 1;
        }
      } else if (c === QUOTE) this.#inString = true;
      else if (c === COMMA || c === COLON) {
        out += json.slice(from, i + 1) + " ";
        from = i + 1;
      }
    }
    return out + json.slice(from);
  }
}

const BEYOND_ASCII = /[\u007f-\uffff]/g;

/** `\uXXXX` of a character (a UTF-16 unit: surrogates are escaped one by one, as Python does). */
function escapeUnit(c: string): string {
  return "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0");
}

/**
 * The body of one JSON string (JSON.stringify's, without its quotes) as Python writes it: only
 * characters beyond ASCII change. For the slices of a large event's text: the character loop
 * of {@link PythonJson} took ~45 ms of CPU over the 18 MB event of a 200,000-line job; a native
 * scan for such characters, nothing measurable. Pure.
 */
export function pythonStringBody(body: string, opts: { ascii?: boolean } = {}): string {
  if (opts.ascii === false) return body;
  BEYOND_ASCII.lastIndex = 0;
  return BEYOND_ASCII.test(body) ? body.replace(BEYOND_ASCII, escapeUnit) : body;
}

/** A whole compact JSON document in Python's default layout. Pure. */
export function pythonJson(json: string, opts: { ascii?: boolean } = {}): string {
  return new PythonJson(opts).push(json);
}
