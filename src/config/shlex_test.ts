import { askPythonEach } from "../testing/python.ts";
import { assertEquals, assertThrows } from "../testing/assert.ts";
import { shlexSplit } from "./shlex.ts";

Deno.test("shlex: quoting like Python's shlex.split", () => {
  assertEquals(shlexSplit(`--tags 'a b' -e "x=\\"1\\"" c\\ d  # not a comment`), [
    "--tags",
    "a b",
    "-e",
    'x="1"',
    "c d",
    "#",
    "not",
    "a",
    "comment",
  ]);
  assertEquals(shlexSplit("  \n"), []);
  assertEquals(shlexSplit(`a''b ""`), ["ab", ""]);
  assertEquals(shlexSplit(`-e "msg=\\$HOME"`), ["-e", "msg=\\$HOME"]);
});

Deno.test("shlex: unterminated quotes are errors", () => {
  assertThrows(() => shlexSplit(`--tags 'a`), /No closing quotation/);
  assertThrows(() => shlexSplit(`x\\`), /No escaped character/);
});

/** Strings of the characters that matter to shlex, from a fixed seed. */
function corpus(n: number): string[] {
  const alphabet = ["a", "b", " ", "\t", "\n", "\r", "'", '"', "\\", "#", "$", "`", "\v", "é", "="];
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: n }, () => {
    let s = "";
    for (let k = Math.floor(next() * 12); k > 0; k--) s += alphabet[Math.floor(next() * 15)];
    return s;
  });
}

Deno.test("shlex: every split (or error) is Python's shlex.split's", async () => {
  const texts = corpus(4000);
  const expected = await askPythonEach<string[] | string>(
    `import shlex
def answer(s):
    try:
        return shlex.split(s)
    except ValueError as e:
        return str(e)`,
    texts,
  );
  let errors = 0;
  texts.forEach((text, i) => {
    let ours: string[] | string;
    try {
      ours = shlexSplit(text);
    } catch (e) {
      ours = (e as Error).message;
      errors++;
    }
    assertEquals(ours, expected[i], JSON.stringify(text));
  });
  // Both outcomes are exercised.
  assertEquals(errors > 500 && errors < 3500, true, `${errors} errors`);
});
