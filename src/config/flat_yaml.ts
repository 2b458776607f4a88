/**
 * A fast path for the YAML most `env/` files hold: one flat mapping of `key: scalar` lines.
 * The full parser is an npm package whose first import costs ~20 ms (it starts Deno's Node
 * compatibility layer), which would sit between `runner run` and ansible-playbook's start.
 * This reads only what it is sure of, with PyYAML's `safe_load` results, and answers
 * `undefined` for anything else, which then goes to the full parser. Pure.
 * @module
 */

const BOOLS = new Map<string, boolean>();
for (
  const [words, value] of [[["yes", "true", "on"], true], [["no", "false", "off"], false]] as const
) {
  for (const w of words) {
    for (const v of [w, w[0].toUpperCase() + w.slice(1), w.toUpperCase()]) BOOLS.set(v, value);
  }
}
const NULLS = new Set(["~", "null", "Null", "NULL"]);
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
/** Plain values taken as strings: they start with a letter, `/` or `_` and hold no indicator. */
const PLAIN_STRING = /^[A-Za-z/_][^:#{}[\]\t"'`|>&*!%@,]*$/;
const DECIMAL = /^[-+]?(?:0|[1-9][0-9]*)$/;
const NOT_PRINTABLE = /[^\n\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;

/** A scalar: the value, or undefined when it is not one this fast path is sure of. */
function scalar(raw: string): { value: unknown } | undefined {
  const text = raw.trim();
  if (text === "" || NULLS.has(text)) return { value: null };
  if (BOOLS.has(text)) return { value: BOOLS.get(text) };
  if (DECIMAL.test(text)) {
    const n = Number(text);
    return Number.isSafeInteger(n) ? { value: n === 0 ? 0 : n } : undefined;
  }
  if (text[0] === "'") {
    const end = text.lastIndexOf("'");
    if (end === 0 || !quotedEnd(text.slice(end + 1))) return undefined;
    const body = text.slice(1, end);
    if (/'(?!')/.test(body.replaceAll("''", ""))) return undefined;
    return { value: body.replaceAll("''", "'") };
  }
  if (text[0] === '"') {
    const r = doubleQuoted(text);
    return r && quotedEnd(text.slice(r.end)) ? { value: r.value } : undefined;
  }
  if (PLAIN_STRING.test(text) && !text.endsWith(":")) return { value: text };
  return undefined;
}

/** After a closing quote only spaces and a comment may follow. */
function quotedEnd(rest: string): boolean {
  return /^(?: +#.*)?\s*$/.test(rest);
}

const ESCAPES: Record<string, string> = {
  "0": "\0",
  a: "\x07",
  b: "\b",
  t: "\t",
  n: "\n",
  v: "\v",
  f: "\f",
  r: "\r",
  e: "\x1b",
  " ": " ",
  '"': '"',
  "/": "/",
  "\\": "\\",
  N: "\x85",
  _: "\xa0",
  L: "\u2028",
  P: "\u2029",
};

/** A one-line double-quoted scalar starting at text[0]; its value and where it ends. */
function doubleQuoted(text: string): { value: string; end: number } | undefined {
  let out = "";
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (c === '"') return { value: out, end: i + 1 };
    if (c !== "\\") {
      out += c;
      continue;
    }
    const e = text[++i];
    if (e in ESCAPES) out += ESCAPES[e];
    else if (e === "x" || e === "u" || e === "U") {
      const len = e === "x" ? 2 : e === "u" ? 4 : 8;
      const hex = text.slice(i + 1, i + 1 + len);
      if (!new RegExp(`^[0-9A-Fa-f]{${len}}$`).test(hex)) return undefined;
      const cp = parseInt(hex, 16);
      if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return undefined;
      out += String.fromCodePoint(cp);
      i += len;
    } else return undefined;
  }
  return undefined; // unterminated on this line
}

/**
 * The mapping in `text`, if it is a flat one this fast path reads with certainty; null for a
 * document with nothing in it; undefined otherwise (use the full parser).
 */
export function parseFlatYaml(text: string): Record<string, unknown> | null | undefined {
  // Tabs, CRs, a BOM, or characters YAML does not accept: leave them to the full parser.
  if (/[\t\r\ufeff]/.test(text) || NOT_PRINTABLE.test(text)) return undefined;
  const out: Record<string, unknown> = {};
  let any = false;
  const lines = text.split("\n");
  const blank = (l: string) => /^(?:\s*#.*)?\s*$/.test(l); // blank or comment
  const first = lines.findIndex((l) => !blank(l));
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n];
    if (blank(line)) continue;
    if (n === first && /^---\s*$/.test(line)) continue; // one document start marker, first
    if (line[0] === " ") return undefined; // nested or continued: not flat
    let key: string;
    let rest: string;
    if (line[0] === '"' || line[0] === "'") {
      const q = line[0] === '"' ? doubleQuoted(line) : singleQuotedKey(line);
      if (!q || line[q.end] !== ":" || (line.length > q.end + 1 && line[q.end + 1] !== " ")) {
        return undefined;
      }
      key = q.value;
      rest = line.slice(q.end + 1);
      if (key === "__proto__") return undefined; // the full parser defines it as a plain key
    } else {
      const colon = line.indexOf(":");
      if (colon < 0) return undefined;
      key = line.slice(0, colon);
      rest = line.slice(colon + 1);
      if (!PLAIN_KEY.test(key) || BOOLS.has(key) || NULLS.has(key)) return undefined;
      if (key === "__proto__") return undefined; // the full parser defines it as a plain key
      if (rest !== "" && rest[0] !== " ") return undefined;
    }
    // A plain value ends at a comment (" #"); quoted ones check what follows the quote.
    const trimmed = rest.trim();
    const value = trimmed[0] === '"' || trimmed[0] === "'"
      ? trimmed
      : trimmed.replace(/ +#.*$/, "");
    if (value === "" && n + 1 < lines.length && /^ +\S/.test(lines[n + 1])) return undefined;
    const s = scalar(value);
    if (!s) return undefined;
    out[key] = s.value;
    any = true;
  }
  return any ? out : null;
}

function singleQuotedKey(line: string): { value: string; end: number } | undefined {
  let out = "";
  for (let i = 1; i < line.length; i++) {
    if (line[i] !== "'") {
      out += line[i];
      continue;
    }
    if (line[i + 1] === "'") {
      out += "'";
      i++;
      continue;
    }
    return { value: out, end: i + 1 };
  }
  return undefined;
}
