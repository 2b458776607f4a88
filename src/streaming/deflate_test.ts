import { deflateRawSync, inflateRawSync } from "node:zlib";
import { assertEquals, assertRejects } from "../testing/assert.ts";
import { deflateRaw, inflateRawStream } from "./deflate.ts";

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) out.set(p, (o += p.length) - p.length);
  return out;
}

async function inflate(data: Uint8Array): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const src = new Blob([data as BlobPart]).stream().pipeThrough(inflateRawStream());
  for await (const c of src) parts.push(c);
  return concat(parts);
}

Deno.test("deflate: zlib inflates what deflateRaw makes, and inflateRawStream reads zlib's", async () => {
  const random = new Uint8Array(200_000);
  for (let o = 0; o < random.length; o += 65536) {
    crypto.getRandomValues(random.subarray(o, o + 65536));
  }
  const text = new TextEncoder().encode("ansible-runner job event\n".repeat(10_000));
  for (const data of [new Uint8Array(0), new Uint8Array([7]), random, text]) {
    const ours = concat(await deflateRaw(data));
    assertEquals(new Uint8Array(inflateRawSync(ours)), data);
    assertEquals(await inflate(new Uint8Array(deflateRawSync(data))), data);
  }
  await assertRejects(() => inflate(new Uint8Array([0xff, 0xff, 0xff, 0xff])));
});
