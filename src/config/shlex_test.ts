import { assertEquals, assertThrows } from "../testing/assert.ts";
import { shlexSplit } from "./shlex.ts";

Deno.test("shlex: quoting like Python's shlex.split", () => {
  assertEquals(shlexSplit(`--tags 'a b' -e "x=\\"1\\"" c\\ d  # comment`), [
    "--tags",
    "a b",
    "-e",
    'x="1"',
    "c d",
  ]);
  assertEquals(shlexSplit("  \n"), []);
  assertEquals(shlexSplit(`a''b ""`), ["ab", ""]);
});

Deno.test("shlex: unterminated quotes are errors", () => {
  assertThrows(() => shlexSplit(`--tags 'a`), /No closing quotation/);
  assertThrows(() => shlexSplit(`x\\`), /No escaped character/);
});
