/**
 * Python `re` patterns (`env/passwords` keys, as ansible-runner compiles them with `re.M`) as
 * JavaScript RegExps that match the same text. JavaScript differs where it matters for a
 * terminal's output: its `^`, `$` and `.` also treat `\r` as a line end (Python only `\n`), it has
 * no `\A`, `\Z`, `(?P<name>…)` or `{,n}`, a `]` first in a class ends it, it knows no verbose
 * `(?x)` mode, and its `\w`, `\d`, `\s` and `\b` are ASCII where Python's are Unicode (a German
 * `Passwort für` prompt). The pattern is rewritten token by token, classes and escapes kept apart.
 * Pure.
 * @module
 */

/** Python's leading global flags: `(?i)`, `(?s)`, `(?x)` and others, possibly several groups. */
const GLOBAL_FLAGS = /^\(\?([aiLmsux]+)\)/;

/**
 * Compiles a Python pattern as ansible-runner does (`re.compile(pattern, re.M)`). Throws a
 * SyntaxError for a pattern JavaScript cannot take.
 */
export function compilePythonRegex(source: string): RegExp {
  let body = source;
  let flags = "";
  for (let m = GLOBAL_FLAGS.exec(body); m; m = GLOBAL_FLAGS.exec(body)) {
    flags += m[1];
    body = body.slice(m[0].length);
  }
  const dotAll = flags.includes("s");
  const verbose = flags.includes("x");
  const ascii = flags.includes("a");
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === "\\") {
      const e = body[++i] ?? "";
      out += e === "A"
        ? "(?<![\\s\\S])"
        : e === "Z"
        ? "(?![\\s\\S])"
        : classEscape(e, ascii) ?? "\\" + e;
    } else if (c === "[") {
      const end = classEnd(body, i);
      out += pythonClass(body.slice(i, end + 1), ascii);
      i = end;
    } else if (c === "^") out += "(?<![^\\n])";
    else if (c === "$") out += "(?![^\\n])";
    else if (c === ".") out += dotAll ? "[\\s\\S]" : "[^\\n]";
    else if (c === "(" && body.startsWith("(?P<", i)) {
      out += "(?<";
      i += 3;
    } else if (c === "(" && body.startsWith("(?P=", i)) {
      const close = body.indexOf(")", i);
      out += `\\k<${body.slice(i + 4, close)}>`;
      i = close;
    } else if (c === "{" && /^\{,\d+\}/.test(body.slice(i))) out += "{0";
    else if (verbose && /\s/.test(c)) continue;
    else if (verbose && c === "#") {
      const nl = body.indexOf("\n", i);
      i = nl < 0 ? body.length : nl;
    } else out += c;
  }
  return new RegExp(out, flags.includes("i") ? "i" : "");
}

/** Where the class opening at `start` ends (its `]`); the pattern's end if it never does. */
function classEnd(s: string, start: number): number {
  let i = start + 1;
  if (s[i] === "^") i++;
  if (s[i] === "]") i++; // a member, not the end
  for (; i < s.length; i++) {
    if (s[i] === "\\") i++;
    else if (s[i] === "]") return i;
  }
  return s.length;
}

/**
 * Python's classes `\\w`, `\\d` and `\\s` match Unicode letters, digits and spaces (`é`, `٣`,
 * a no-break space); JavaScript's (without the `u` flag, which would change how the rest of a
 * Python pattern reads) match ASCII only, and its `\\s` has other members. The class bodies,
 * over the BMP: made on first use (a word class is some 700 ranges, ~20 ms to find).
 */
const CLASS_BODIES = new Map<string, string>();

function classBody(kind: "w" | "d" | "s", ascii: boolean): string {
  if (kind === "s") return ascii ? " \\t\\n\\r\\f\\v" : PYTHON_SPACE;
  if (ascii) return kind === "w" ? "A-Za-z0-9_" : "0-9";
  let body = CLASS_BODIES.get(kind);
  if (body === undefined) {
    // str.isalnum() or "_", and str.isdecimal(), as Python's re reads \\w and \\d.
    body = bmpRanges(kind === "w" ? /[\p{L}\p{N}_]/u : /\p{Nd}/u);
    CLASS_BODIES.set(kind, body);
  }
  return body;
}

/** str.isspace(): Python's `\\s` (bidi classes WS, B and S, and category Zs). */
const PYTHON_SPACE =
  "\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

/** The BMP characters `test` matches, as a class body of `\\uXXXX` ranges. */
function bmpRanges(test: RegExp): string {
  const hex = (c: number) => `\\u${c.toString(16).padStart(4, "0")}`;
  let out = "";
  let start = -1;
  for (let c = 0; c <= 0x10000; c++) {
    const member = c < 0x10000 && (c < 0xd800 || c > 0xdfff) && test.test(String.fromCharCode(c));
    if (member && start < 0) start = c;
    if (!member && start >= 0) {
      out += c - 1 > start ? `${hex(start)}-${hex(c - 1)}` : hex(start);
      start = -1;
    }
  }
  return out;
}

/** A class escape (`\\w`, `\\D`, `\\b`, …) outside a class, as Python reads it; else undefined. */
function classEscape(e: string, ascii: boolean): string | undefined {
  const kind = e.toLowerCase();
  if (kind === "w" || kind === "d" || kind === "s") {
    return `[${e === kind ? "" : "^"}${classBody(kind, ascii)}]`;
  }
  if (kind !== "b" || ascii) return undefined; // ASCII \\b is JavaScript's too
  const w = `[${classBody("w", false)}]`;
  return e === "b"
    ? `(?:(?<=${w})(?!${w})|(?<!${w})(?=${w}))`
    : `(?:(?<=${w})(?=${w})|(?<!${w})(?!${w}))`;
}

/**
 * A class (`[…]`, whole) as Python reads it: a `]` first is a member, and `\\w`, `\\d`, `\\s`
 * in it are Python's. Their complements (`\\W`…) cannot sit inside a JavaScript class: a class
 * holding one becomes an alternation.
 */
function pythonClass(cls: string, ascii: boolean): string {
  const negated = cls[1] === "^";
  let i = negated ? 2 : 1;
  let members = "";
  if (cls[i] === "]") {
    members += "\\]"; // a member in Python; in JavaScript it would end the class
    i++;
  }
  const complements: string[] = [];
  for (; i < cls.length - 1; i++) {
    if (cls[i] !== "\\") {
      members += cls[i];
      continue;
    }
    const e = cls[++i] ?? "";
    const kind = e.toLowerCase();
    if (kind === "w" || kind === "d" || kind === "s") {
      if (e === kind) members += classBody(kind, ascii);
      else complements.push(`[^${classBody(kind, ascii)}]`);
    } else members += "\\" + e;
  }
  if (cls.at(-1) !== "]") members += cls.slice(cls.length - 1); // unterminated: JS refuses it
  if (!complements.length) {
    return `[${negated ? "^" : ""}${members}${cls.at(-1) === "]" ? "]" : ""}`;
  }
  const any = [`[${members}]`, ...complements].join("|");
  return negated ? `(?:(?!${any})[\\s\\S])` : `(?:${any})`;
}
