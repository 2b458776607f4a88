import { assertEquals, assertThrows } from "../testing/assert.ts";
import { PromptMatcher } from "./expect.ts";
import { compilePythonRegex } from "../config/py_regex.ts";

const rules = () => [
  { pattern: compilePythonRegex("^Vault password:\\s*?$"), answer: "v-secret" },
  { pattern: compilePythonRegex("(?i)^enter the code:"), answer: "1234" },
];

Deno.test("expect: answers a prompt once, even when it arrives split", () => {
  const m = new PromptMatcher(rules());
  assertEquals(m.feed("PLAY [x]\r\nVault pass"), []);
  assertEquals(m.feed("word: "), ["v-secret\n"]);
  assertEquals(m.feed("\r\nmore output\r\n"), [], "the same prompt text is not answered twice");
});

Deno.test("expect: a second prompt later is answered again", () => {
  const m = new PromptMatcher(rules());
  assertEquals(m.feed("Vault password: "), ["v-secret\n"]);
  assertEquals(m.feed("\r\nVault password: "), ["v-secret\n"]);
});

Deno.test("expect: inline (?i) flag and order of appearance", () => {
  const m = new PromptMatcher(rules());
  assertEquals(m.feed("ENTER THE CODE: \r\nVault password: "), ["1234\n", "v-secret\n"]);
});

Deno.test("expect: a pattern that matches nothing is answered only where it matches text", () => {
  const m = new PromptMatcher([
    { pattern: compilePythonRegex("x*:"), answer: "c" }, // first: it wins a tie
    { pattern: compilePythonRegex(".*"), answer: "a" },
    { pattern: compilePythonRegex("^$"), answer: "b" },
  ]);
  assertEquals(m.feed(""), []);
  assertEquals(m.feed("\r\n\r\n"), ["a\n", "a\n"]); // the \r of each line is text to `.`
  assertEquals(m.feed("\n\n"), []);
  assertEquals(m.feed("abc"), ["a\n"]);
  assertEquals(m.feed("\n:"), ["c\n"]);
});

Deno.test("expect: no rules, no answers", () => {
  assertEquals(new PromptMatcher([]).feed("Vault password: "), []);
});

Deno.test("expect: Python named groups are accepted, bad patterns throw", () => {
  assertEquals(compilePythonRegex("(?P<x>a)(?P=x)").test("aa"), true);
  assertThrows(() => compilePythonRegex("(unclosed"));
});

Deno.test("expect: event markers before a prompt do not hide the line start", () => {
  const m = new PromptMatcher(rules());
  assertEquals(m.feed("\x1b_RNRe30=\x1b\\\x1b_RNR.\x1b\\Vault pass"), []);
  assertEquals(m.feed("word: "), ["v-secret\n"]);
});

Deno.test("expect: text inside an event record is not a prompt, even while the record is split", () => {
  const m = new PromptMatcher([{ pattern: compilePythonRegex("password:"), answer: "p" }]);
  const record = '\x1b_RNR{"event": "runner_on_ok", "res": {"stdout": "enter password: "}}\x1b\\';
  assertEquals(m.feed(record.slice(0, 68)), []); // "password: " in, the end not yet
  assertEquals(m.feed(record.slice(68)), []);
  assertEquals(m.feed("ok\r\nSSH password:"), ["p\n"]);
});

Deno.test("expect: a record longer than the window, split many ways, hides its text", () => {
  const m = new PromptMatcher([{ pattern: compilePythonRegex("password:"), answer: "p" }]);
  const filler = "x".repeat(20_000);
  const record = `\x1b_RNR{"res": {"stdout": "${filler} password: ${filler}"}}\x1b\\`;
  const stream = `before\r\n${record}after\r\nSSH password:`;
  const answers: string[] = [];
  // Chunks cut inside the begin marker, in the JSON (one ends just after "password: "), and
  // between the ESC and the backslash of the end.
  const cuts = [9, 10, 12, 4000, 20_040, 20_045, stream.indexOf("\x1b\\") + 1, stream.length];
  let at = 0;
  for (const cut of cuts) {
    answers.push(...m.feed(stream.slice(at, cut)));
    at = cut;
  }
  assertEquals(answers, ["p\n"]);
});
