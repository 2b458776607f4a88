import { assertEquals } from "../testing/assert.ts";
import { FULL_READ, GATHER_BYTES, MAX_GATHER_MS, MIN_GATHER_MS, ReadPace } from "./read_pace.ts";

Deno.test("read pace: bursts wait to gather, a streaming writer on poll", () => {
  const pace = new ReadPace();
  let t = 0;
  assertEquals(pace.streaming, false);
  // One event's flush, then an empty pty: a burst.
  pace.observe(900, t += 5);
  assertEquals(pace.streaming, false);
  pace.observe(0, t += 1);
  assertEquals(pace.streaming, false);
  // Reads back to back: the writer refills as fast as we read.
  pace.observe(1200, t += 1);
  pace.observe(300, t);
  assertEquals(pace.streaming, true);
  pace.observe(0, t += 1);
  assertEquals(pace.streaming, false);
  // A full read means more is waiting, even after a wait.
  pace.observe(FULL_READ + 95, t += 10);
  assertEquals(pace.streaming, true);
  pace.observe(0, t += 1);
  assertEquals(pace.streaming, false);
});

Deno.test("read pace: the wait lets about GATHER_BYTES pile up at the pace output came", () => {
  const pace = new ReadPace();
  assertEquals(pace.gatherMs, MIN_GATHER_MS, "no pace known yet: a short wait");
  pace.observe(0, 0);
  // 1,000 bytes came in the 100 ms since the last read: slow output waits the longest.
  pace.observe(1000, 100);
  assertEquals(pace.gatherMs, MAX_GATHER_MS);
  // 4,000 bytes in 10 ms: 400 bytes/ms; in 5 ms: 800 bytes/ms, half the wait.
  pace.observe(0, 101);
  pace.observe(4000, 111);
  assertEquals(pace.gatherMs, Math.round(GATHER_BYTES / 400));
  pace.observe(0, 112);
  pace.observe(4000, 117);
  assertEquals(pace.gatherMs, Math.round(GATHER_BYTES / 800));
  // Empty reads leave the pace as it was; a full read right after another, a few ms.
  pace.observe(0, 500);
  assertEquals(pace.gatherMs, Math.round(GATHER_BYTES / 800));
  pace.observe(FULL_READ, 500);
  assertEquals(pace.gatherMs, Math.max(MIN_GATHER_MS, Math.round(GATHER_BYTES / FULL_READ)));
});
