/**
 * Raw inflate (RFC 1951), pulling input and pushing output in chunks through two reused
 * buffers. The worker extracts thousands of zip entries; a decompression stream per entry costs
 * ~40 µs and leaves native garbage that only full collections free, while this allocates
 * nothing per entry. Output beyond a limit is an error, which is how a declared size is
 * enforced (a zip bomb stops at the size its entry claims).
 * @module
 */

import {
  canonicalCodes,
  CL_ORDER,
  DIST_BASE,
  DIST_EXTRA,
  FIXED_DIST,
  FIXED_LIT,
  LEN_BASE,
  LEN_EXTRA,
} from "./deflate_format.ts";

/** Raised for data that is not valid raw deflate, or that inflates past the buffer. */
export class InflateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InflateError";
  }
}

/** The message of the InflateError raised when the output would not fit. */
export const OVERFLOW = "output larger than expected";

/**
 * A canonical Huffman code as a lookup table indexed by the next `bits` input bits (LSB
 * first): each entry is `symbol << 4 | length`, 0 where no code matches.
 */
interface Table {
  entries: Int32Array;
  bits: number;
}

function buildTable(lengths: Uint8Array, n: number): Table {
  const count = new Uint16Array(16);
  let max = 0;
  for (let s = 0; s < n; s++) {
    count[lengths[s]]++;
    if (lengths[s] > max) max = lengths[s];
  }
  count[0] = 0;
  // Over-subscribed codes are invalid; incomplete ones are allowed (single distance codes).
  let left = 1;
  for (let len = 1; len <= 15; len++) {
    left = (left << 1) - count[len];
    if (left < 0) throw new InflateError("invalid Huffman code (over-subscribed)");
  }
  const bits = Math.max(max, 1);
  const entries = new Int32Array(1 << bits);
  const codes = new Uint16Array(n);
  canonicalCodes(lengths, n, codes);
  for (let s = 0; s < n; s++) {
    const len = lengths[s];
    if (!len) continue;
    for (let i = codes[s]; i < entries.length; i += 1 << len) entries[i] = (s << 4) | len;
  }
  return { entries, bits };
}

let fixed: [Table, Table] | null = null;

function fixedTables(): [Table, Table] {
  return fixed ??= [buildTable(FIXED_LIT, 288), buildTable(FIXED_DIST, 30)];
}

/**
 * The two buffers inflate works in: input read-ahead, and output with the 32 KiB window.
 * Reuse one set across many small inputs; one inflate at a time may use it.
 */
export class InflateBuffers {
  readonly input = new Uint8Array(1 << 16);
  readonly out = new Uint8Array((1 << 15) + (1 << 18));
}

/** Where inflate reads compressed bytes: fills `buf` from the start, returns 0 at the end. */
export type ByteSource = (buf: Uint8Array) => number;

/** The 32 KiB a back-reference may reach, kept in the output buffer across flushes. */
const WINDOW = 1 << 15;

/**
 * Inflates raw deflate data pulled from `read`, handing the output to `write` in chunks of up
 * to 256 KiB (each valid only during the call). Everything runs in two fixed buffers, so
 * memory stays flat whatever the sizes. More than `limit` bytes of output is an error (the
 * declared size of a zip entry). Returns the number of bytes produced. Throws InflateError on
 * invalid or truncated data.
 */
export function inflateRaw(
  read: ByteSource,
  write: (chunk: Uint8Array) => void,
  limit: number,
  buffers: InflateBuffers = new InflateBuffers(),
): number {
  const { input, out } = buffers;
  let inLen = 0;
  let pos = 0;
  let eof = false;
  let bitBuf = 0;
  let bitCnt = 0;
  let outPos = 0;
  let flushed = 0; // output before out[0] that was already written
  let from = 0; // start of the part of `out` not yet written

  const refill = () => {
    inLen = eof ? 0 : read(input);
    if (inLen === 0) eof = true;
    pos = 0;
  };
  // Past the end of input, zero bits are supplied for lookahead; consuming them is truncation.
  let overrun = 0;
  const need = (n: number) => {
    while (bitCnt < n) {
      if (pos >= inLen) refill();
      let byte = 0;
      if (pos < inLen) byte = input[pos++];
      else if (++overrun > 4) throw new InflateError("truncated deflate data");
      bitBuf |= byte << bitCnt;
      bitCnt += 8;
    }
  };
  const consumed = (n: number) => {
    bitBuf >>>= n;
    bitCnt -= n;
    if (overrun && (overrun << 3) > bitCnt) throw new InflateError("truncated deflate data");
  };
  const bits = (n: number): number => {
    need(n);
    const v = bitBuf & ((1 << n) - 1);
    consumed(n);
    return v;
  };
  const decode = (t: Table): number => {
    need(t.bits);
    const e = t.entries[bitBuf & ((1 << t.bits) - 1)];
    const len = e & 15;
    consumed(len);
    if (len === 0) throw new InflateError("invalid Huffman code in data");
    return e >> 4;
  };
  /** Makes room for `n` more bytes: writes what is pending, keeps the window. */
  const room = (n: number) => {
    if (flushed + outPos + n > limit) throw new InflateError(OVERFLOW);
    if (outPos + n <= out.length) return;
    if (outPos > from) write(out.subarray(from, outPos));
    const keep = Math.min(WINDOW, outPos);
    out.copyWithin(0, outPos - keep, outPos);
    flushed += outPos - keep;
    outPos = keep;
    from = keep;
  };

  for (;;) {
    const last = bits(1);
    const type = bits(2);
    if (type === 0) {
      // Stored: drop to a byte boundary, then LEN, NLEN and LEN raw bytes.
      consumed(bitCnt & 7);
      const len = bits(16);
      if ((len ^ 0xffff) !== bits(16)) throw new InflateError("stored block length check failed");
      let k = 0;
      for (; k < len && bitCnt >= 8; k++) {
        room(1);
        out[outPos++] = bits(8);
      }
      while (k < len) {
        if (pos >= inLen) refill();
        if (pos >= inLen) throw new InflateError("truncated stored block");
        const n = Math.min(len - k, inLen - pos, 0x4000);
        room(n);
        out.set(input.subarray(pos, pos + n), outPos);
        outPos += n;
        pos += n;
        k += n;
      }
    } else if (type === 1 || type === 2) {
      let lit: Table;
      let dist: Table;
      if (type === 1) [lit, dist] = fixedTables();
      else {
        const nlen = bits(5) + 257;
        const ndist = bits(5) + 1;
        const ncode = bits(4) + 4;
        if (nlen > 286 || ndist > 30) throw new InflateError("bad code counts");
        const clLens = new Uint8Array(19);
        for (let i = 0; i < ncode; i++) clLens[CL_ORDER[i]] = bits(3);
        const cl = buildTable(clLens, 19);
        const lens = new Uint8Array(nlen + ndist);
        for (let i = 0; i < nlen + ndist;) {
          const sym = decode(cl);
          if (sym < 16) {
            lens[i++] = sym;
            continue;
          }
          let rep: number;
          let val = 0;
          if (sym === 16) {
            if (i === 0) throw new InflateError("repeat with no previous length");
            val = lens[i - 1];
            rep = 3 + bits(2);
          } else if (sym === 17) rep = 3 + bits(3);
          else rep = 11 + bits(7);
          if (i + rep > nlen + ndist) throw new InflateError("too many code lengths");
          lens.fill(val, i, i + rep);
          i += rep;
        }
        if (lens[256] === 0) throw new InflateError("no end-of-block code");
        lit = buildTable(lens.subarray(0, nlen), nlen);
        dist = buildTable(lens.subarray(nlen), ndist);
      }
      for (;;) {
        const sym = decode(lit);
        if (sym < 256) {
          if (outPos >= out.length || flushed + outPos >= limit) room(1);
          out[outPos++] = sym;
        } else if (sym === 256) break;
        else {
          const li = sym - 257;
          if (li >= 29) throw new InflateError("invalid length code");
          const len = LEN_BASE[li] + bits(LEN_EXTRA[li]);
          const di = decode(dist);
          if (di >= 30) throw new InflateError("invalid distance code");
          const d = DIST_BASE[di] + bits(DIST_EXTRA[di]);
          if (d > flushed + outPos) throw new InflateError("distance too far back");
          room(len);
          if (d >= len) out.copyWithin(outPos, outPos - d, outPos - d + len);
          else for (let k = 0; k < len; k++) out[outPos + k] = out[outPos - d + k];
          outPos += len;
        }
      }
    } else throw new InflateError("invalid block type");
    if (last) break;
  }
  if (outPos > from) write(out.subarray(from, outPos));
  return flushed + outPos;
}
