import { assertEquals } from "../testing/assert.ts";
import { BATCH_BYTES, BATCH_MS, OutputBatch } from "./output_batch.ts";

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("output batch: due BATCH_MS after its first chunk, handed on whole and in order", () => {
  const batch = new OutputBatch();
  assertEquals(batch.dueIn(0), Infinity);
  batch.push(bytes(""), 0); // nothing read: nothing starts the clock
  assertEquals(batch.dueIn(0), Infinity);
  batch.push(bytes("PLAY "), 1000);
  batch.push(bytes("[all] "), 1030);
  batch.push(bytes("***\r\n"), 1090);
  assertEquals(batch.size, 16);
  assertEquals(batch.dueIn(1090), BATCH_MS - 90);
  assertEquals(batch.dueIn(1000 + BATCH_MS), 0);
  assertEquals(text(batch.take()), "PLAY [all] ***\r\n");
  assertEquals(batch.size, 0);
  assertEquals(batch.dueIn(2000), Infinity);
  // The next batch's clock starts with its own first chunk.
  batch.push(bytes("ok"), 5000);
  assertEquals(batch.dueIn(5000), BATCH_MS);
});

Deno.test("output batch: due at once when BATCH_BYTES are held, whatever their age", () => {
  const batch = new OutputBatch();
  const chunk = new Uint8Array(4096).fill(0x61);
  for (let held = 0; held + chunk.length < BATCH_BYTES; held += chunk.length) {
    batch.push(chunk, 0);
    assertEquals(batch.dueIn(0) > 0, true);
  }
  batch.push(chunk, 0);
  assertEquals(batch.dueIn(0), 0);
  assertEquals(batch.take().length, BATCH_BYTES);
});

Deno.test("output batch: with no wait allowed, every chunk is due as it comes", () => {
  const batch = new OutputBatch(0);
  batch.push(bytes("x"), 10);
  assertEquals(batch.dueIn(10), 0);
  assertEquals(text(batch.take()), "x");
});
