/**
 * Python `re` patterns (`env/passwords` keys, as ansible-runner compiles them with `re.M`) as
 * JavaScript RegExps that match the same text. JavaScript differs where it matters for a
 * terminal's output: its `^`, `$` and `.` also treat `\r` as a line end (Python only `\n`), it has
 * no `\A`, `\Z`, `(?P<name>…)` or `{,n}`, a `]` first in a class ends it, and it knows no verbose
 * `(?x)` mode. The pattern is rewritten token by token, classes and escapes kept apart. Pure.
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
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === "\\") {
      const e = body[++i] ?? "";
      out += e === "A" ? "(?<![\\s\\S])" : e === "Z" ? "(?![\\s\\S])" : "\\" + e;
    } else if (c === "[") {
      const end = classEnd(body, i);
      let cls = body.slice(i, end + 1);
      // A `]` first (after `^`) is a member in Python; in JavaScript it would end the class.
      cls = cls.replace(/^(\[\^?)\]/, "$1\\]");
      out += cls;
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
