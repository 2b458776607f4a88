import { assertEquals } from "../testing/assert.ts";
import {
  FILLED_BYTES,
  GATHER_BYTES,
  MAX_GATHER_MS,
  MIN_GATHER_MS,
  PEAK_HALF_LIFE_MS,
  ReadPace,
} from "./read_pace.ts";

Deno.test("read pace: the shortest gathering wait until the output's pace is known", () => {
  const pace = new ReadPace();
  assertEquals(pace.streaming, false);
  assertEquals(pace.gatherMs(0), MIN_GATHER_MS);
  pace.observe(0, 0);
  pace.observe(900, 10); // a drain, but none ended yet
  assertEquals(pace.gatherMs(10), MIN_GATHER_MS);
});

Deno.test("read pace: the wait lets GATHER_BYTES pile up at the quickest recent pace", () => {
  const pace = new ReadPace();
  pace.observe(0, 0);
  // 8,000 bytes came in 20 ms (two reads, then empty): 400 bytes/ms.
  pace.observe(4000, 20);
  pace.observe(4000, 20);
  pace.observe(0, 20);
  assertEquals(pace.gatherMs(20), GATHER_BYTES / 400);
  // A slow drain (a quiet task) does not lengthen the next waits…
  pace.observe(500, 70);
  pace.observe(0, 70);
  assertEquals(
    pace.gatherMs(70),
    Math.round(GATHER_BYTES / (400 * 0.5 ** (50 / PEAK_HALF_LIFE_MS))),
  );
  // …a quicker one shortens them, never below the shortest.
  pace.observe(16000, 80);
  pace.observe(0, 80);
  assertEquals(pace.gatherMs(80), MIN_GATHER_MS);
});

Deno.test("read pace: the remembered peak fades, and the wait grows back to the longest", () => {
  const pace = new ReadPace();
  pace.observe(0, 0);
  pace.observe(8000, 20);
  pace.observe(0, 20); // 400 bytes/ms: 20 ms waits
  assertEquals(pace.gatherMs(20), 20);
  assertEquals(pace.gatherMs(20 + PEAK_HALF_LIFE_MS / 2), Math.round(20 * 2 ** 0.5));
  assertEquals(pace.gatherMs(20 + 10 * PEAK_HALF_LIFE_MS), MAX_GATHER_MS);
});

Deno.test("read pace: a drain that may have filled the pty sends the reader to poll", () => {
  const pace = new ReadPace();
  pace.observe(0, 0);
  for (let i = 0; i < FILLED_BYTES / 4000; i++) pace.observe(4000, 30);
  pace.observe(0, 30);
  assertEquals(pace.streaming, true);
  // The writer caught its breath: the next drain is small, back to timed waits.
  pace.observe(700, 31);
  pace.observe(0, 31);
  assertEquals(pace.streaming, false);
});
