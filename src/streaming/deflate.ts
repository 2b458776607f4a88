/**
 * Raw deflate (RFC 1951) in reused buffers: LZ77 over hash chains, then per block the cheapest
 * of dynamic Huffman, fixed Huffman or stored; a whole input, or a long one in pieces. transmit
 * zips thousands of files; a compression stream per file costs ~40 µs and leaves native state
 * that only full collections free (tens of MiB between them), while this allocates nothing per
 * file once warm.
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

const WSIZE = 1 << 15;
const WMASK = WSIZE - 1;
const HASH_BITS = 15;
const MIN_MATCH = 3;
const MAX_MATCH = 258;
/** Chain steps per position: speed against ratio, about zlib's level 4. */
const MAX_CHAIN = 16;
/** A match this long ends the search. */
const NICE = 128;
/** Symbols per block; a block's Huffman codes fit that stretch of the input. */
const BLOCK_SYMS = 1 << 14;
/**
 * Input that did not compress (its block went stored) is stored without a match search for
 * this many bytes, then tried again; the stretch doubles up to STORE_MAX while it still does
 * not compress. Random or already compressed files cost a copy instead of a search of every
 * position (zlib searches them all: the bulk of transmit's time on such files).
 */
const STORE_MIN = 1 << 16;
const STORE_MAX = 1 << 20;

/** Length (3..258) → length code index 0..28. */
const LEN_CODE = new Uint8Array(259);
for (let i = 0; i < 29; i++) {
  for (let l = LEN_BASE[i]; l < LEN_BASE[i] + (1 << LEN_EXTRA[i]) && l <= 258; l++) {
    LEN_CODE[l] = i;
  }
}
LEN_CODE[258] = 28;

function distCode(d: number): number {
  let lo = 0;
  let hi = 29;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (DIST_BASE[mid] <= d) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Code lengths (at most `limit` bits) for `freq`, written to `lens`: Huffman's, then, if
 * any is too long, the longest shortened and the code rebalanced as zlib does. Pure.
 */
export function codeLengths(freq: Uint32Array, n: number, limit: number, lens: Uint8Array): void {
  lens.fill(0, 0, n);
  const syms: number[] = [];
  for (let s = 0; s < n; s++) if (freq[s]) syms.push(s);
  if (syms.length === 0) return;
  if (syms.length === 1) {
    // One symbol still needs a complete code: pair it with a neighbour of length 1.
    lens[syms[0]] = 1;
    lens[syms[0] === 0 ? 1 : 0] = 1;
    return;
  }
  syms.sort((a, b) => freq[a] - freq[b] || a - b);
  // Two-queue Huffman: leaves in order, then internal nodes in the order they are made.
  const m = syms.length;
  const weight = new Float64Array(2 * m);
  const parent = new Int32Array(2 * m);
  for (let i = 0; i < m; i++) weight[i] = freq[syms[i]];
  let leaf = 0;
  let node = m;
  let made = m;
  const pick = () => {
    if (leaf < m && (node >= made || weight[leaf] <= weight[node])) return leaf++;
    return node++;
  };
  while (made < 2 * m - 1) {
    const a = pick();
    const b = pick();
    weight[made] = weight[a] + weight[b];
    parent[a] = parent[b] = made;
    made++;
  }
  const depth = new Uint8Array(2 * m);
  const count = new Uint16Array(64);
  for (let i = 2 * m - 3; i >= 0; i--) depth[i] = depth[parent[i]] + 1;
  for (let i = 0; i < m; i++) count[Math.min(depth[i], limit)]++;
  // Capping made the code over-full; in units of 2^-limit each step below removes one unit:
  // a leaf moves down one level, taking a capped leaf's place as its sibling.
  let kraft = 0;
  for (let len = 1; len <= limit; len++) kraft += count[len] << (limit - len);
  while (kraft > 1 << limit) {
    let bits = limit - 1;
    while (count[bits] === 0) bits--;
    count[bits]--;
    count[bits + 1] += 2;
    count[limit]--;
    kraft--;
  }
  // Longest codes to the rarest symbols.
  let i = 0;
  for (let len = limit; len >= 1; len--) {
    for (let k = count[len]; k > 0; k--) lens[syms[i++]] = len;
  }
}

/** A deflater with its buffers; `deflate` reuses them from call to call. */
export class Deflater {
  #head = new Int32Array(1 << HASH_BITS);
  #prev = new Int32Array(WSIZE);
  /** Positions stored in head/prev are `base + index`; older values count as empty. */
  #base = 1;
  #lit = new Uint16Array(BLOCK_SYMS);
  #dist = new Uint16Array(BLOCK_SYMS);
  #out = new Uint8Array(1 << 16);
  #outLen = 0;
  #bitBuf = 0;
  #bitCnt = 0;
  #litFreq = new Uint32Array(286);
  #distFreq = new Uint32Array(30);
  #clFreq = new Uint32Array(19);
  #litLens = new Uint8Array(288);
  #distLens = new Uint8Array(30);
  #clLens = new Uint8Array(19);
  #litCodes = new Uint16Array(288);
  #distCodes = new Uint16Array(30);
  #clCodes = new Uint16Array(19);
  #fixedLitCodes = new Uint16Array(288);
  #fixedDistCodes = new Uint16Array(30);
  #runs = new Uint16Array(286 + 30);
  /** Bytes still to store without a search (see STORE_MIN), and the last such stretch. */
  #storeLeft = 0;
  #storeStretch = 0;

  constructor() {
    canonicalCodes(FIXED_LIT, 288, this.#fixedLitCodes);
    canonicalCodes(FIXED_DIST, 30, this.#fixedDistCodes);
  }

  /** Raw-deflates `data`; the result is a view of an internal buffer, valid until the next call. */
  deflate(data: Uint8Array): Uint8Array {
    this.reset();
    return this.piece(data, true);
  }

  /**
   * Deflates one piece of a longer input: call it for each piece, with `final` on the last
   * (an empty final piece is fine), after starting with {@link reset}. Matches do not reach
   * into earlier pieces, so pieces of a MiB or more lose almost nothing. Returns the bytes
   * completed so far, a view valid until the next call.
   */
  piece(data: Uint8Array, final: boolean): Uint8Array {
    this.#outLen = 0;
    if (data.length === 0 && !final) return this.#out.subarray(0, 0);
    if (this.#base + data.length + WSIZE > 0x7fff0000) {
      this.#head.fill(0);
      this.#prev.fill(0);
      this.#base = 1;
    }
    const base = this.#base;
    this.#base += data.length + WSIZE;
    const n = data.length;
    const head = this.#head;
    const prev = this.#prev;
    const lit = this.#lit;
    const dist = this.#dist;
    let syms = 0;
    let blockStart = 0;
    const insert = (i: number) => {
      const h = ((data[i] << 10) ^ (data[i + 1] << 5) ^ data[i + 2]) & ((1 << HASH_BITS) - 1);
      prev[i & WMASK] = head[h];
      head[h] = base + i;
      return prev[i & WMASK];
    };
    let i = 0;
    while (i < n) {
      if (this.#storeLeft > 0 && syms === 0) {
        const end = Math.min(n, i + this.#storeLeft);
        this.#stored(data, i, end, final && end === n);
        this.#storeLeft -= end - i;
        i = blockStart = end;
        continue;
      }
      let bestLen = 0;
      let bestDist = 0;
      if (i + MIN_MATCH <= n) {
        let cand = insert(i);
        const limit = Math.min(MAX_MATCH, n - i);
        for (let chain = MAX_CHAIN; chain > 0 && cand >= base && cand > base + i - WSIZE; chain--) {
          const j = cand - base;
          if (data[j + bestLen] === data[i + bestLen] && data[j] === data[i]) {
            let l = 1;
            while (l < limit && data[j + l] === data[i + l]) l++;
            if (l > bestLen) {
              bestLen = l;
              bestDist = i - j;
              if (l >= NICE || l === limit) break;
            }
          }
          cand = prev[j & WMASK];
        }
      }
      if (bestLen >= MIN_MATCH) {
        lit[syms] = 256 + bestLen;
        dist[syms++] = bestDist;
        const end = i + bestLen;
        // Long matches skip indexing their inside: much faster, little lost.
        if (bestLen <= 32) { for (let k = i + 1; k < end && k + MIN_MATCH <= n; k++) insert(k); }
        i = end;
      } else {
        lit[syms] = data[i];
        dist[syms++] = 0;
        i++;
      }
      if (syms === BLOCK_SYMS) {
        this.#afterBlock(this.#block(data, blockStart, i, syms, final && i === n));
        blockStart = i;
        syms = 0;
      }
    }
    if (syms > 0 || n === 0 || blockStart < n) {
      this.#afterBlock(this.#block(data, blockStart, n, syms, final));
    }
    if (final && this.#bitCnt > 0) {
      this.#byte(this.#bitBuf & 0xff);
      this.#bitBuf = 0;
      this.#bitCnt = 0;
    }
    return this.#out.subarray(0, this.#outLen);
  }

  /** Starts a new stream of pieces. */
  reset(): void {
    this.#bitBuf = 0;
    this.#bitCnt = 0;
    this.#storeLeft = 0;
    this.#storeStretch = 0;
  }

  /** After a searched block: a stored one sends the next stretch straight to storage. */
  #afterBlock(stored: boolean): void {
    this.#storeStretch = stored
      ? Math.min(STORE_MAX, Math.max(STORE_MIN, this.#storeStretch * 2))
      : 0;
    this.#storeLeft = this.#storeStretch;
  }

  #byte(b: number): void {
    if (this.#outLen === this.#out.length) {
      const bigger = new Uint8Array(this.#out.length * 2);
      bigger.set(this.#out);
      this.#out = bigger;
    }
    this.#out[this.#outLen++] = b;
  }

  #bits(value: number, n: number): void {
    this.#bitBuf |= value << this.#bitCnt;
    this.#bitCnt += n;
    while (this.#bitCnt >= 8) {
      this.#byte(this.#bitBuf & 0xff);
      this.#bitBuf >>>= 8;
      this.#bitCnt -= 8;
    }
  }

  /** Writes one block of `syms` symbols covering data[from, to); true when it went stored. */
  #block(data: Uint8Array, from: number, to: number, syms: number, last: boolean): boolean {
    const lit = this.#lit;
    const dist = this.#dist;
    const litFreq = this.#litFreq.fill(0);
    const distFreq = this.#distFreq.fill(0);
    let extraBits = 0;
    for (let k = 0; k < syms; k++) {
      const s = lit[k];
      if (s < 256) litFreq[s]++;
      else {
        const lc = LEN_CODE[s - 256];
        litFreq[257 + lc]++;
        const dc = distCode(dist[k]);
        distFreq[dc]++;
        extraBits += LEN_EXTRA[lc] + DIST_EXTRA[dc];
      }
    }
    litFreq[256] = 1;

    // Dynamic: code lengths, then their run-length encoding.
    const litLens = this.#litLens;
    const distLens = this.#distLens;
    codeLengths(litFreq, 286, 15, litLens);
    codeLengths(distFreq, 30, 15, distLens);
    let nlit = 286;
    while (nlit > 257 && litLens[nlit - 1] === 0) nlit--;
    let ndist = 30;
    while (ndist > 1 && distLens[ndist - 1] === 0) ndist--;
    const runs = this.#runs;
    const nruns = this.#runLengths(nlit, ndist, runs);
    const clFreq = this.#clFreq.fill(0);
    for (let k = 0; k < nruns; k++) clFreq[runs[k] & 31]++;
    const clLens = this.#clLens;
    codeLengths(clFreq, 19, 7, clLens);
    let ncl = 19;
    while (ncl > 4 && clLens[CL_ORDER[ncl - 1]] === 0) ncl--;

    let dynamicBits = 3 + 14 + 3 * ncl + extraBits;
    for (let k = 0; k < nruns; k++) {
      const c = runs[k] & 31;
      dynamicBits += clLens[c] + (c === 16 ? 2 : c === 17 ? 3 : c === 18 ? 7 : 0);
    }
    let fixedBits = 3 + extraBits;
    for (let s = 0; s < 286; s++) {
      dynamicBits += litFreq[s] * litLens[s];
      fixedBits += litFreq[s] * FIXED_LIT[s];
    }
    for (let s = 0; s < 30; s++) {
      dynamicBits += distFreq[s] * distLens[s];
      fixedBits += distFreq[s] * 5;
    }
    const storedBits = (to - from) * 8 + 32 + ((8 - ((this.#bitCnt + 3) & 7)) & 7) + 3 +
      Math.floor((to - from) / 65535) * 40;

    if (storedBits <= fixedBits && storedBits <= dynamicBits) {
      this.#stored(data, from, to, last);
      return true;
    }
    if (fixedBits <= dynamicBits) {
      this.#bits(last ? 1 : 0, 1);
      this.#bits(1, 2);
      this.#symbols(syms, FIXED_LIT, this.#fixedLitCodes, FIXED_DIST, this.#fixedDistCodes);
      return false;
    }
    this.#bits(last ? 1 : 0, 1);
    this.#bits(2, 2);
    this.#bits(nlit - 257, 5);
    this.#bits(ndist - 1, 5);
    this.#bits(ncl - 4, 4);
    for (let k = 0; k < ncl; k++) this.#bits(clLens[CL_ORDER[k]], 3);
    const clCodes = this.#clCodes;
    canonicalCodes(clLens, 19, clCodes);
    for (let k = 0; k < nruns; k++) {
      const c = runs[k] & 31;
      this.#bits(clCodes[c], clLens[c]);
      const extra = runs[k] >> 5;
      if (c === 16) this.#bits(extra, 2);
      else if (c === 17) this.#bits(extra, 3);
      else if (c === 18) this.#bits(extra, 7);
    }
    canonicalCodes(litLens, 286, this.#litCodes);
    canonicalCodes(distLens, 30, this.#distCodes);
    this.#symbols(syms, litLens, this.#litCodes, distLens, this.#distCodes);
    return false;
  }

  /** The code-length sequence of lit+dist lengths with 16/17/18 runs: `code | extra << 5`. */
  #runLengths(nlit: number, ndist: number, runs: Uint16Array): number {
    const total = nlit + ndist;
    const at = (k: number) => k < nlit ? this.#litLens[k] : this.#distLens[k - nlit];
    let out = 0;
    for (let k = 0; k < total;) {
      const len = at(k);
      let run = 1;
      while (k + run < total && at(k + run) === len) run++;
      if (len === 0) {
        let left = run;
        while (left >= 11) {
          const r = Math.min(138, left);
          runs[out++] = 18 | ((r - 11) << 5);
          left -= r;
        }
        if (left >= 3) {
          runs[out++] = 17 | ((left - 3) << 5);
          left = 0;
        }
        while (left-- > 0) runs[out++] = 0;
      } else {
        runs[out++] = len;
        let left = run - 1;
        while (left >= 3) {
          const r = Math.min(6, left);
          runs[out++] = 16 | ((r - 3) << 5);
          left -= r;
        }
        while (left-- > 0) runs[out++] = len;
      }
      k += run;
    }
    return out;
  }

  #symbols(
    syms: number,
    litLens: Uint8Array,
    litCodes: Uint16Array,
    distLens: Uint8Array,
    distCodes: Uint16Array,
  ): void {
    const lit = this.#lit;
    const dist = this.#dist;
    for (let k = 0; k < syms; k++) {
      const s = lit[k];
      if (s < 256) {
        this.#bits(litCodes[s], litLens[s]);
        continue;
      }
      const len = s - 256;
      const lc = LEN_CODE[len];
      this.#bits(litCodes[257 + lc], litLens[257 + lc]);
      if (LEN_EXTRA[lc]) this.#bits(len - LEN_BASE[lc], LEN_EXTRA[lc]);
      const d = dist[k];
      const dc = distCode(d);
      this.#bits(distCodes[dc], distLens[dc]);
      if (DIST_EXTRA[dc]) this.#bits(d - DIST_BASE[dc], DIST_EXTRA[dc]);
    }
    this.#bits(litCodes[256], litLens[256]);
  }

  #stored(data: Uint8Array, from: number, to: number, last: boolean): void {
    let p = from;
    do {
      const len = Math.min(65535, to - p);
      const final = last && p + len === to;
      this.#bits(final ? 1 : 0, 1);
      this.#bits(0, 2);
      if (this.#bitCnt > 0) this.#bits(0, 8 - this.#bitCnt);
      this.#bits(len & 0xffff, 16);
      this.#bits(~len & 0xffff, 16); // byte-aligned from here: copy the bytes whole
      if (this.#outLen + len > this.#out.length) {
        const bigger = new Uint8Array(Math.max(this.#out.length * 2, this.#outLen + len));
        bigger.set(this.#out.subarray(0, this.#outLen));
        this.#out = bigger;
      }
      this.#out.set(data.subarray(p, p + len), this.#outLen);
      this.#outLen += len;
      p += len;
    } while (p < to);
  }
}
