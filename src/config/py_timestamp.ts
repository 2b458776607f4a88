/**
 * YAML timestamps as PyYAML's `safe_load` reads them. ansible-runner turns an `env/envvars`
 * value into text with Python's `str()`, so `DAY: 2024-01-01` reaches the job as
 * `2024-01-01` and `AT: 2024-01-01t10:00:00.5Z` as `2024-01-01 10:00:00.500000+00:00`. The
 * YAML package would give a JavaScript Date, which keeps neither the date-only form nor the
 * offset. Pure.
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
