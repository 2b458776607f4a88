import { assertEquals } from "../testing/assert.ts";
import { markStartAtEnd, RECORD_CLOSE, RECORD_OPEN } from "./record_marks.ts";

Deno.test("record marks: how much of a mark's start ends a chunk", () => {
  assertEquals(markStartAtEnd("text\x1b", RECORD_OPEN), 1);
  assertEquals(markStartAtEnd("text\x1b_RN", RECORD_OPEN), 4);
  assertEquals(markStartAtEnd("text\x1b_RNR", RECORD_OPEN), 0, "a whole mark is not a start");
  assertEquals(markStartAtEnd("text", RECORD_OPEN), 0);
  assertEquals(markStartAtEnd("", RECORD_OPEN), 0);
  assertEquals(markStartAtEnd('{"a": 1}\x1b', RECORD_CLOSE), 1);
  assertEquals(markStartAtEnd('{"a": 1}', RECORD_CLOSE), 0);
});
