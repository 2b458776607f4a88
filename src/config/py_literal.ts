/**
 * Python literals, for `--role-vars`: ansible-runner reads each `key=value` value with
 * `ast.literal_eval` (the value itself where that fails) and writes the role's playbook with
 * `json.dumps`. So `n=1.0` is the float 1.0, `l=[1,'a']` a list, `s='x y'`… and `v=01` the text
 * `01`. Values JSON cannot hold (bytes, sets, complex numbers) stay text here, where
 * ansible-runner fails. A dict is read as a Map (its keys in their order). Pure.
 * @module
 */
import { PyFloat, pyFloatRepr } from "./py_scalars.ts";
import { pythonStringBody } from "../sinks/python_json.ts";

/** Raised where `ast.literal_eval` would raise. */
class NotALiteral extends Error {}

const DIGITS = "[0-9](?:_?[0-9])*";
const INT = new RegExp(
  `^(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|[1-9](?:_?[0-9])*|0(?:_?0)*)`,
);
const FLOAT = new RegExp(
  `^(?:(?:${DIGITS})?\\.${DIGITS}(?:[eE][-+]?${DIGITS})?|${DIGITS}\\.(?:[eE][-+]?${DIGITS})?|` +
    `${DIGITS}[eE][-+]?${DIGITS})`,
);
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const SIMPLE_ESCAPES: Record<string, string> = {
  "\n": "",
  "\\": "\\",
  "'": "'",
  '"': '"',
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
};

/** A recursive-descent reader of one literal, as `ast.literal_eval` accepts it. */
class Reader {
  #s: string;
  #i = 0;

  constructor(s: string) {
    this.#s = s;
  }

  /** The whole text as one literal. */
  all(): unknown {
    const v = this.#value();
    if (this.#i === this.#s.length) return v;
    // `1,2` is a tuple too, a trailing comma allowed.
    if (!this.#eat(",")) throw new NotALiteral();
    const items = [v];
    while (this.#i < this.#s.length) {
      items.push(this.#value());
      if (this.#i < this.#s.length && !this.#eat(",")) throw new NotALiteral();
    }
    return items;
  }

  #peek(): string {
    return this.#s[this.#i] ?? "";
  }

  #eat(c: string): boolean {
    if (this.#peek() !== c) return false;
    this.#i++;
    return true;
  }

  #value(): unknown {
    const c = this.#peek();
    if (c === "+" || c === "-") {
      this.#i++;
      // One sign, on a number only (parenthesised or not), as literal_eval allows.
      let parens = 0;
      while (this.#eat("(")) parens++;
      const n = this.#number();
      for (; parens > 0; parens--) if (!this.#eat(")")) throw new NotALiteral();
      if (c === "+") return n;
      return n instanceof PyFloat ? new PyFloat(-n.value) : typeof n === "bigint" ? -n : -n || 0;
    }
    if (c === "[") return this.#items("[", "]");
    if (c === "(") {
      this.#i++;
      if (this.#eat(")")) return [];
      const first = this.#value();
      if (this.#eat(")")) return first; // parenthesised, not a tuple
      if (!this.#eat(",")) throw new NotALiteral();
      return [first, ...this.#rest(")")];
    }
    if (c === "{") return this.#braces();
    if (/[0-9.]/.test(c)) return this.#number();
    const name = NAME.exec(this.#s.slice(this.#i))?.[0];
    if (name && this.#s[this.#i + name.length] !== "'" && this.#s[this.#i + name.length] !== '"') {
      this.#i += name.length;
      if (name === "True") return true;
      if (name === "False") return false;
      if (name === "None") return null;
      throw new NotALiteral();
    }
    let text = this.#string();
    // Adjacent strings are one ('a''b' is 'ab').
    while (/^[A-Za-z]*['"]/.test(this.#s.slice(this.#i))) text += this.#string();
    return text;
  }

  #number(): number | bigint | PyFloat {
    const rest = this.#s.slice(this.#i);
    const f = FLOAT.exec(rest)?.[0];
    const n = INT.exec(rest)?.[0];
    const token = f && f.length > (n?.length ?? 0) ? f : n;
    if (!token) throw new NotALiteral();
    this.#i += token.length;
    if (/^[0-9A-Za-z_.]/.test(this.#peek())) throw new NotALiteral(); // 01, 1__0, 1j, 1e
    const clean = token.replaceAll("_", "");
    if (token === f) return new PyFloat(Number(clean));
    const big = BigInt(clean); // BigInt reads 0x, 0o and 0b as Python does
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(big)
      : big;
  }

  #string(): string {
    const prefix = NAME.exec(this.#s.slice(this.#i))?.[0] ?? "";
    if (!/^(?:[rR]?[uU]?|[uU])$/.test(prefix) || /[uU].*[rR]|[rR].*[uU]/.test(prefix)) {
      throw new NotALiteral(); // bytes, f-strings and the like
    }
    const raw = /[rR]/.test(prefix);
    this.#i += prefix.length;
    const q = this.#peek();
    if (q !== "'" && q !== '"') throw new NotALiteral();
    const triple = this.#s.startsWith(q.repeat(3), this.#i);
    const close = triple ? q.repeat(3) : q;
    this.#i += close.length;
    let out = "";
    for (;;) {
      if (this.#i >= this.#s.length) throw new NotALiteral();
      if (this.#s.startsWith(close, this.#i)) {
        this.#i += close.length;
        return out;
      }
      const c = this.#s[this.#i++];
      if (c === "\n" && !triple) throw new NotALiteral();
      if (c !== "\\") {
        out += c;
        continue;
      }
      if (this.#i >= this.#s.length) throw new NotALiteral();
      const e = this.#s[this.#i++];
      if (raw) out += c + e;
      else out += this.#escape(e);
    }
  }

  #escape(e: string): string {
    if (e in SIMPLE_ESCAPES) return SIMPLE_ESCAPES[e];
    if (/[0-7]/.test(e)) {
      const oct = e + (/^[0-7]{0,2}/.exec(this.#s.slice(this.#i))?.[0] ?? "");
      this.#i += oct.length - 1;
      return String.fromCodePoint(parseInt(oct, 8));
    }
    const len = { x: 2, u: 4, U: 8 }[e];
    if (e === "N") throw new NotALiteral(); // \N{NAME}: no table of names here
    if (len === undefined) return "\\" + e; // kept, as Python keeps an unknown escape
    const hex = this.#s.slice(this.#i, this.#i + len);
    if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) throw new NotALiteral();
    this.#i += len;
    const cp = parseInt(hex, 16);
    if (cp > 0x10ffff) throw new NotALiteral();
    return String.fromCodePoint(cp);
  }

  #items(open: string, close: string): unknown[] {
    this.#eat(open);
    return this.#rest(close);
  }

  /** Items up to `close`, a trailing comma allowed. */
  #rest(close: string): unknown[] {
    const out: unknown[] = [];
    while (!this.#eat(close)) {
      out.push(this.#value());
      if (this.#eat(close)) break;
      if (!this.#eat(",")) throw new NotALiteral();
    }
    return out;
  }

  #braces(): unknown {
    this.#eat("{");
    if (this.#eat("}")) return {};
    const key = this.#value();
    if (!this.#eat(":")) {
      throw new NotALiteral(); // a set: JSON cannot hold it (ansible-runner fails there)
    }
    const dict = new Map<string, unknown>();
    let k: unknown = key;
    for (;;) {
      dict.set(jsonKey(k), this.#value());
      if (this.#eat("}")) break;
      if (!this.#eat(",")) throw new NotALiteral();
      if (this.#eat("}")) break;
      k = this.#value();
      if (!this.#eat(":")) throw new NotALiteral();
    }
    return dict; // a Map keeps the keys' order, as a dict does ("2" would move first)
  }
}

/** A dict key as `json.dumps` writes it; anything else (a tuple) it cannot write. */
function jsonKey(k: unknown): string {
  if (typeof k === "string") return k;
  if (typeof k === "number" || typeof k === "bigint") return String(k);
  if (k instanceof PyFloat) return pyFloatRepr(k.value);
  if (k === true || k === false || k === null) return String(k);
  throw new NotALiteral();
}

/** A `--role-vars` value as ansible-runner reads it: its Python literal, else the text itself. */
export function roleVarValue(text: string): unknown {
  try {
    return new Reader(text).all();
  } catch (e) {
    if (e instanceof NotALiteral) return text;
    throw e;
  }
}

/**
 * JSON as Python's `json.dumps` writes it by default (`", "` and `": "`, characters beyond
 * ASCII escaped, floats as Python writes them, `Infinity` and `NaN` as Python's json allows).
 */
export function pyJsonDumps(value: unknown): string {
  if (value instanceof PyFloat) {
    const x = value.value;
    return Number.isFinite(x)
      ? pyFloatRepr(x)
      : Number.isNaN(x)
      ? "NaN"
      : x > 0
      ? "Infinity"
      : "-Infinity";
  }
  if (typeof value === "bigint") return String(value);
  if (typeof value === "string") return `"${pythonStringBody(JSON.stringify(value).slice(1, -1))}"`;
  if (Array.isArray(value)) return `[${value.map(pyJsonDumps).join(", ")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = value instanceof Map ? [...value] : Object.entries(value);
    const items = entries.map(([k, v]) => `${pyJsonDumps(String(k))}: ${pyJsonDumps(v)}`);
    return `{${items.join(", ")}}`;
  }
  return JSON.stringify(value);
}
