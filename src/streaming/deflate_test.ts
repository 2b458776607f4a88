import { inflateRawSync } from "node:zlib";
import { assert, assertEquals } from "../testing/assert.ts";
import { codeLengths, Deflater } from "./deflate.ts";

function samples(): Uint8Array[] {
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 16;
  const text = new TextEncoder().encode(
    "- name: install packages\n  ansible.builtin.apt:\n    name: '{{ item }}'\n".repeat(400),
  );
  const out = [new Uint8Array(0), new Uint8Array([1]), new Uint8Array([1, 2]), text];
  out.push(new Uint8Array(300_000).fill(9), new Uint8Array(70_000));
  for (const n of [3, 100, 4096, 65_535, 65_536, 65_537, 300_000]) {
    const r = new Uint8Array(n);
    for (let i = 0; i < n; i++) r[i] = rand() & 0xff;
    out.push(r);
    const m = new Uint8Array(n);
    for (let i = 0; i < n; i++) m[i] = i % 1000 < 400 ? text[i % text.length] : rand() & 7;
    out.push(m);
    const skew = new Uint8Array(n); // a long-tailed alphabet: deep Huffman trees
    for (let i = 0; i < n; i++) {
      skew[i] = Math.min(255, Math.floor(-Math.log2(1 - (rand() / 65536)) * 3));
    }
    out.push(skew);
  }
  return out;
}

Deno.test("deflate: zlib inflates every sample back exactly, one Deflater reused", () => {
  const d = new Deflater();
  const all = samples();
  for (const data of all) {
    const packed = d.deflate(data).slice();
    assertEquals(new Uint8Array(inflateRawSync(packed)), data, `${data.length} bytes`);
  }
  // Within 10 % of zlib's default level on text (zlib: 283 bytes for this sample).
  assert(d.deflate(all[3]).length < 312, "text compresses like zlib");
});

Deno.test("deflate: code lengths respect the limit and the Kraft sum", () => {
  // Fibonacci frequencies make Huffman's depths exceed any limit.
  const freq = new Uint32Array(40);
  for (let i = 0, a = 1, b = 1; i < 40; i++, [a, b] = [b, a + b]) freq[i] = a;
  for (const limit of [7, 15]) {
    const lens = new Uint8Array(40);
    codeLengths(freq, 40, limit, lens);
    let kraft = 0;
    for (const l of lens) {
      assert(l >= 1 && l <= limit, `length ${l} within ${limit}`);
      kraft += 2 ** -l;
    }
    assertEquals(kraft, 1);
  }
});

Deno.test("deflate: pieces make one stream that zlib inflates whole", () => {
  const d = new Deflater();
  const data = samples().at(-2)!; // 300,000 mixed bytes
  for (const size of [13, 1000, 65_536, 300_000]) {
    const parts: Uint8Array[] = [];
    d.reset();
    for (let o = 0; o < data.length; o += size) {
      parts.push(d.piece(data.subarray(o, o + size), false).slice());
    }
    parts.push(d.piece(new Uint8Array(0), true).slice());
    const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) (joined.set(p, o), o += p.length);
    assertEquals(new Uint8Array(inflateRawSync(joined)), data, `pieces of ${size}`);
  }
});

Deno.test("deflate: incompressible stretches are stored unsearched; what follows compresses", () => {
  let seed = 11;
  const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 16;
  const noise = (n: number) => Uint8Array.from({ length: n }, () => rand() & 0xff);
  const text = new TextEncoder().encode("  - name: task\n    debug: msg=hello\n".repeat(20_000));
  // Noise long enough to reach the longest unsearched stretch, then text, then both again.
  const parts = [noise(3_000_000), text, noise(200_000), text];
  const data = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) (data.set(p, o), o += p.length);
  const d = new Deflater();
  const whole = d.deflate(data).slice();
  assertEquals(new Uint8Array(inflateRawSync(whole)), data, "whole");
  // Stored noise costs 5 bytes a 64 KiB block; the text (1.4 MB) shrinks to a few KiB.
  assert(whole.length < 3_200_000 + 3_300 + 40_000, `${whole.length} bytes`);
  d.reset();
  const pieces: Uint8Array[] = [];
  for (let p = 0; p < data.length; p += 1 << 20) {
    pieces.push(d.piece(data.subarray(p, p + (1 << 20)), false).slice());
  }
  pieces.push(d.piece(new Uint8Array(0), true).slice());
  const joined = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
  o = 0;
  for (const p of pieces) (joined.set(p, o), o += p.length);
  assertEquals(new Uint8Array(inflateRawSync(joined)), data, "in pieces of 1 MiB");
});
