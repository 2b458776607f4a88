/**
 * The constants of raw deflate (RFC 1951 §3.2.5–3.2.7) that both directions use, and the
 * canonical Huffman code assignment. Pure.
 * @module
 */

/** Base length of each length code 257..285 (index 0..28). */
// deno-fmt-ignore
export const LEN_BASE = new Uint16Array([
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115,
  131, 163, 195, 227, 258,
]);

/** Extra bits of each length code. */
// deno-fmt-ignore
export const LEN_EXTRA = new Uint8Array([
  0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
]);

/** Base distance of each distance code 0..29. */
// deno-fmt-ignore
export const DIST_BASE = new Uint16Array([
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
  2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
]);

/** Extra bits of each distance code. */
// deno-fmt-ignore
export const DIST_EXTRA = new Uint8Array([
  0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
  13,
]);

/** The order in which a dynamic block sends the code-length code's lengths. */
export const CL_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/** Code lengths of the fixed literal/length code (block type 1). */
export const FIXED_LIT = new Uint8Array(288).fill(8, 0, 144).fill(9, 144, 256)
  .fill(7, 256, 280).fill(8, 280, 288);

/** Code lengths of the fixed distance code. */
export const FIXED_DIST = new Uint8Array(30).fill(5);

/**
 * The canonical code of each of the first `n` symbols given their code lengths, written to
 * `codes` bit-reversed (deflate sends Huffman codes most significant bit first into an
 * LSB-first stream). Symbols of length 0 get no code.
 */
export function canonicalCodes(lens: Uint8Array, n: number, codes: Uint16Array): void {
  const count = new Uint16Array(16);
  for (let s = 0; s < n; s++) count[lens[s]]++;
  count[0] = 0;
  const next = new Uint16Array(16);
  for (let len = 1, code = 0; len <= 15; len++) {
    code = (code + count[len - 1]) << 1;
    next[len] = code;
  }
  for (let s = 0; s < n; s++) {
    const len = lens[s];
    if (!len) continue;
    let c = next[len]++;
    let r = 0;
    for (let k = 0; k < len; k++) {
      r = (r << 1) | (c & 1);
      c >>= 1;
    }
    codes[s] = r;
  }
}
