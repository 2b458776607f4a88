/**
 * YAML scalars as PyYAML's `safe_load` reads them, and Python's `str()` of them. ansible-runner
 * turns an `env/envvars` value (and an `env/passwords` answer) into text with `str()`, so
 * `VERSION: 1.0` reaches the job as `1.0`, `DAY: 2024-01-01` as `2024-01-01` and
 * `AT: 2024-01-01t10:00:00.5Z` as `2024-01-01 10:00:00.500000+00:00`. JavaScript numbers and
 * Dates keep neither the float's form nor the timestamp's. Pure.
 * @module
 */

/** A date or date-time read from YAML, held as Python's `str()` of it. */
export class PyTimestamp {
  /** Python's `str()` of the `datetime.date` or `datetime.datetime`. */
  readonly text: string;

  constructor(text: string) {
    this.text = text;
  }

  /** Python's `str()`. */
  toString(): string {
    return this.text;
  }
}

/**
 * Which plain scalars PyYAML resolves as timestamps: a date has a two-digit month and day;
 * a date-time may have one digit there and in the hour.
 */
export const PY_TIMESTAMP_TEST =
  /^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$/;

/** The parts PyYAML's constructor reads. */
const PARTS =
  /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:(?:[Tt]|[ \t]+)([0-9]{1,2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]*))?(?:[ \t]*(Z|([-+])([0-9]{1,2})(?::([0-9]{2}))?))?)?$/;

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * The timestamp in `text` as PyYAML constructs it. Throws, with Python's reason, where
 * Python's `datetime` refuses the value (`2024-02-30`, hour 24, an offset of a day).
 */
export function pyTimestamp(text: string): PyTimestamp {
  const m = PARTS.exec(text);
  if (!m) throw new Error(`not a timestamp: ${text}`);
  const [year, month, day] = [m[1], m[2], m[3]].map(Number);
  if (year < 1) throw new Error(`year ${year} is out of range`);
  if (month < 1 || month > 12) throw new Error("month must be in 1..12");
  if (day < 1 || day > daysIn(year, month)) throw new Error("day is out of range for month");
  const date = `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
  if (m[4] === undefined) return new PyTimestamp(date);

  const [hour, minute, second] = [m[4], m[5], m[6]].map(Number);
  if (hour > 23) throw new Error("hour must be in 0..23");
  if (minute > 59) throw new Error("minute must be in 0..59");
  if (second > 59) throw new Error("second must be in 0..59");
  // Python keeps six digits of the fraction, cut, not rounded; none is left out.
  const micro = m[7] ? Number(m[7].slice(0, 6).padEnd(6, "0")) : 0;
  let out = `${date} ${pad(hour)}:${pad(minute)}:${pad(second)}`;
  if (micro) out += `.${pad(micro, 6)}`;
  if (m[8] === "Z") return new PyTimestamp(`${out}+00:00`);
  if (m[9]) {
    const offset = (Number(m[10]) * 60 + Number(m[11] ?? 0)) * (m[9] === "-" ? -1 : 1);
    if (Math.abs(offset) >= 24 * 60) {
      throw new Error("offset must be strictly between -24 and 24 hours");
    }
    const abs = Math.abs(offset);
    out += `${offset < 0 ? "-" : "+"}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  }
  return new PyTimestamp(out);
}

/** A float read from YAML where its text matters: Python writes 1.0 as `1.0`, 1e-5 as `1e-05`. */
export class PyFloat {
  readonly value: number;

  constructor(value: number) {
    this.value = value;
  }

  /** Python's `str()` (its `repr()`). */
  toString(): string {
    return pyFloatRepr(this.value);
  }
}

/**
 * Python's `repr()` of a float: the shortest digits that read back as the same number (as
 * JavaScript's), written in fixed notation from 1e-4 up to 1e16 with at least one decimal,
 * otherwise as `d.ddde±XX`.
 */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mantissa, e] = x.toExponential().split("e");
  const exp = Number(e);
  const sign = x < 0 ? "-" : "";
  const digits = mantissa.replace(/^-/, "").replace(".", "");
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? "-" : "+"}${pad(Math.abs(exp))}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  return `${sign}${digits.slice(0, exp + 1).padEnd(exp + 1, "0")}.${digits.slice(exp + 1) || "0"}`;
}

/**
 * Python's `repr()` (and `str()`) of bytes, as a `!!binary` value reads in PyYAML: `b'…'`,
 * in double quotes where the bytes hold a `'` and no `"`, with `\\xhh` for bytes that are not
 * printable ASCII.
 */
export function pyBytesRepr(bytes: Uint8Array): string {
  const quote = bytes.includes(0x27) && !bytes.includes(0x22) ? '"' : "'";
  let body = "";
  for (const b of bytes) {
    const c = String.fromCharCode(b);
    if (c === quote || c === "\\") body += `\\${c}`;
    else if (c === "\t") body += "\\t";
    else if (c === "\n") body += "\\n";
    else if (c === "\r") body += "\\r";
    else if (b < 0x20 || b >= 0x7f) body += `\\x${b.toString(16).padStart(2, "0")}`;
    else body += c;
  }
  return `b${quote}${body}${quote}`;
}

/**
 * Python's `str()` of a scalar read from YAML or JSON (numbers, as JSON gives them, print as
 * JavaScript's shortest form, Python's for floats; `!!binary` as bytes print); undefined for a
 * list or a mapping, which ansible-runner would pass on as Python's repr of them.
 */
export function pythonStr(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (value instanceof PyTimestamp || value instanceof PyFloat) return value.toString();
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "bigint") return String(value);
  if (typeof value === "number") {
    return Number.isInteger(value) ? String(value) : pyFloatRepr(value);
  }
  if (value === null) return "None";
  if (value instanceof Uint8Array) return pyBytesRepr(value);
  return undefined;
}

/**
 * What Python's `==` and `hash` make of a mapping key: `True`, `1` and `1.0` are one key, as
 * are `False`, `0` and `0.0`. Undefined for a key Python cannot hash (a list or a mapping).
 */
function pythonKeyIdentity(key: unknown): string | undefined {
  if (typeof key === "string") return `s${key}`;
  if (key === null) return "None";
  if (typeof key === "boolean") return key ? "n1" : "n0";
  if (typeof key === "bigint") return `n${key}`;
  const number = key instanceof PyFloat ? key.value : key;
  if (typeof number === "number") {
    return Number.isInteger(number) ? `n${BigInt(number)}` : `f${pyFloatRepr(number)}`;
  }
  if (key instanceof PyTimestamp) return `t${key.text}`;
  if (key instanceof Uint8Array) return pyBytesRepr(key);
  return undefined;
}

/**
 * A YAML mapping's pairs, in the file's order, as ansible-runner's `{str(k): str(v) …}` sees it, keyed by Python's `str()`
 * of each key: `yes: x` is `True`, `~: x` is `None`. Keys Python holds equal are one entry (the
 * first key, the last value: `1: a` then `true: b` is `{"1": "b"}`), and keys whose text is the
 * same keep the last value. Throws where PyYAML refuses the mapping: on an unhashable key.
 */
export function pythonKeyedMapping(pairs: Iterable<[unknown, unknown]>): Record<string, unknown> {
  const byIdentity = new Map<string, { key: unknown; value: unknown }>();
  for (const [key, value] of pairs) {
    const id = pythonKeyIdentity(key);
    if (id === undefined) throw new Error("found an unhashable key (a list or a mapping)");
    const entry = byIdentity.get(id);
    if (entry) entry.value = value;
    else byIdentity.set(id, { key, value });
  }
  const out: Record<string, unknown> = {};
  for (const { key, value } of byIdentity.values()) {
    const text = pythonStr(key) as string; // every hashable key has a str()
    // defineProperty: `__proto__` is a key like any other here.
    Object.defineProperty(out, text, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/**
 * A JSON number as Python's `json.loads` holds it, for values that become text: one written
 * with a fraction or an exponent is a float (`1.0` stays `1.0`), an integer beyond 2^53 keeps
 * its digits. `source` is the number's text in the JSON.
 */
export function pythonJsonNumber(value: number, source: string): number | PyFloat | bigint {
  if (/[.eE]/.test(source)) return new PyFloat(value);
  return Number.isSafeInteger(value) ? value : BigInt(source);
}
