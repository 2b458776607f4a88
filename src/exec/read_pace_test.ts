import { assertEquals } from "../testing/assert.ts";
import { FULL_READ, ReadPace } from "./read_pace.ts";

Deno.test("read pace: bursts wait on timers, a streaming writer on poll", () => {
  const pace = new ReadPace();
  assertEquals(pace.streaming, false);
  // One event's flush, then an empty pty: a burst.
  pace.observe(900);
  assertEquals(pace.streaming, false);
  pace.observe(0);
  assertEquals(pace.streaming, false);
  // Reads back to back: the writer refills as fast as we read.
  pace.observe(1200);
  pace.observe(300);
  assertEquals(pace.streaming, true);
  pace.observe(0);
  assertEquals(pace.streaming, false);
  // A full read means more is waiting, even after a wait.
  pace.observe(FULL_READ + 95);
  assertEquals(pace.streaming, true);
  pace.observe(0);
  assertEquals(pace.streaming, false);
});
