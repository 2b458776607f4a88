import { inflateRawSync } from "node:zlib";
import { assertEquals } from "../testing/assert.ts";
import { deflateRaw } from "./deflate.ts";

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) out.set(p, (o += p.length) - p.length);
  return out;
}

Deno.test("deflate: zlib inflates what deflateRaw makes", async () => {
  const random = new Uint8Array(200_000);
  for (let o = 0; o < random.length; o += 65536) {
    crypto.getRandomValues(random.subarray(o, o + 65536));
  }
  const text = new TextEncoder().encode("ansible-runner job event\n".repeat(10_000));
  for (const data of [new Uint8Array(0), new Uint8Array([7]), random, text]) {
    const ours = concat(await deflateRaw(data));
    assertEquals(new Uint8Array(inflateRawSync(ours)), data);
  }
});
