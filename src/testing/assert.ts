/** Test assertions (node:assert/strict, since JSR's @std/assert is out of reach). */
import assertModule from "node:assert/strict";

/** Fails unless `cond` is truthy. */
export function assert(cond: unknown, msg?: string): asserts cond {
  if (msg === undefined) assertModule.ok(cond);
  else assertModule.ok(cond, msg);
}

/** Deep strict equality. */
export function assertEquals<T>(actual: T, expected: T, msg?: string): void {
  if (msg === undefined) assertModule.deepStrictEqual(actual, expected);
  else assertModule.deepStrictEqual(actual, expected, msg);
}

/** Fails unless `fn` throws; returns the error. */
export function assertThrows(fn: () => unknown, match?: RegExp): Error {
  try {
    fn();
  } catch (e) {
    if (match) assertModule.match(String((e as Error).message), match);
    return e as Error;
  }
  throw new Error("expected an exception");
}

/** Fails unless `fn`'s promise rejects; returns the error. */
export async function assertRejects(fn: () => Promise<unknown>, match?: RegExp): Promise<Error> {
  try {
    await fn();
  } catch (e) {
    if (match) assertModule.match(String((e as Error).message), match);
    return e as Error;
  }
  throw new Error("expected a rejection");
}

/** Fails unless `text` contains `part`. */
export function assertIncludes(text: string, part: string, msg?: string): void {
  assertModule.ok(
    text.includes(part),
    msg ?? `expected ${JSON.stringify(text.slice(0, 400))} to include ${JSON.stringify(part)}`,
  );
}
