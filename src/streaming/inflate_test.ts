import { constants, deflateRawSync } from "node:zlib";
import { assert, assertEquals, assertThrows } from "../testing/assert.ts";
import { Deflater } from "./deflate.ts";
import { InflateBuffers, InflateError, inflateRaw } from "./inflate.ts";

function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) out.set(p, (o += p.length) - p.length);
  return out;
}

/** Deterministic test data of several kinds: text, runs, random, mixed. */
function samples(): Uint8Array[] {
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 16;
  const out: Uint8Array[] = [new Uint8Array(0), new Uint8Array([42])];
  const text = new TextEncoder().encode(
    "- hosts: all\n  tasks:\n    - name: ping\n      ansible.builtin.ping:\n".repeat(300),
  );
  out.push(text, new Uint8Array(70_000).fill(7));
  for (const n of [100, 4096, 65_535, 65_536, 200_000]) {
    const r = new Uint8Array(n);
    for (let i = 0; i < n; i++) r[i] = rand() & 0xff;
    out.push(r);
    const m = new Uint8Array(n);
    for (let i = 0; i < n; i++) m[i] = i % 977 < 300 ? text[i % text.length] : rand() & 3;
    out.push(m);
  }
  return out;
}

const BUFFERS = new InflateBuffers();

/** Inflates `data`, fed in pieces of 1,000 bytes, allowing at most `size` bytes of output. */
function inflate(data: Uint8Array, size: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let rest = data;
  inflateRaw(
    (buf) => {
      const n = Math.min(buf.length, 1000, rest.length);
      buf.set(rest.subarray(0, n));
      rest = rest.subarray(n);
      return n;
    },
    (chunk) => parts.push(chunk.slice()),
    size,
    BUFFERS,
  );
  return concatBytes(parts);
}

Deno.test("inflate: what zlib deflates, at every level and strategy, comes back exactly", () => {
  const strategies = [
    constants.Z_DEFAULT_STRATEGY,
    constants.Z_FILTERED,
    constants.Z_HUFFMAN_ONLY,
    constants.Z_RLE,
    constants.Z_FIXED,
  ];
  for (const data of samples()) {
    for (let level = 0; level <= 9; level++) {
      for (const strategy of strategies) {
        const packed = new Uint8Array(deflateRawSync(data, { level, strategy }));
        assertEquals(inflate(packed, data.length), data, `${data.length} B, ${level}/${strategy}`);
      }
    }
  }
});

Deno.test("inflate: what the Compression Streams and Deflater make comes back exactly", async () => {
  const deflater = new Deflater();
  for (const data of samples()) {
    const parts: Uint8Array[] = [];
    const src = new Blob([data as BlobPart]).stream().pipeThrough(
      new CompressionStream("deflate-raw") as unknown as TransformStream<Uint8Array, Uint8Array>,
    );
    for await (const c of src) parts.push(c);
    assertEquals(inflate(concatBytes(parts), data.length), data);
    assertEquals(inflate(deflater.deflate(data), data.length), data);
  }
});

Deno.test("inflate: output past the buffer, truncation and garbage are InflateErrors", () => {
  const text = samples()[2];
  const packed = new Uint8Array(deflateRawSync(text));
  assertThrows(() => inflate(packed, text.length - 1), /output larger than expected/);
  for (const cut of [0, 1, 2, packed.length >> 1, packed.length - 1]) {
    assertThrows(() => inflate(packed.subarray(0, cut), text.length), /truncated/);
  }
  // Random mutations: every outcome is either a result or an InflateError, never a hang or
  // another exception.
  let seed = 99;
  const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 16;
  let errors = 0;
  for (let i = 0; i < 3000; i++) {
    const bad = packed.slice();
    for (let k = 0; k < 1 + (i % 4); k++) bad[rand() % bad.length] ^= 1 << (rand() & 7);
    try {
      inflate(bad, text.length);
    } catch (e) {
      assert(e instanceof InflateError, String(e));
      errors++;
    }
  }
  assert(errors > 1000, `${errors} of 3000 mutations detected`);
});
