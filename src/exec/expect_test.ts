import { assertEquals, assertThrows } from "../testing/assert.ts";
import { compilePythonRegex, PromptMatcher } from "./expect.ts";

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
