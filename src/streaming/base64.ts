/**
 * Streaming base64 between bytes and bytes: chunks in, chunks out, with a carry, in buffers
 * reused from chunk to chunk. No strings: a 256 KiB string per chunk lives in V8's large-object
 * space until a full collection, which made the wire phases of transmit and worker grow.
 */

/** Number of base64 characters that encode `n` bytes (with padding). */
export function base64Length(n: number): number {
  return Math.ceil(n / 3) * 4;
}

const ALPHABET = new TextEncoder().encode(
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
);
const PAD = 61; // "="
/** Character code → 6-bit value; -1 for characters that are not base64. */
const VALUE = new Int8Array(256).fill(-1);
ALPHABET.forEach((c, i) => VALUE[c] = i);

/** Encodes bytes chunk by chunk; `end()` returns the padded tail. */
export class Base64Encoder {
  #carry = new Uint8Array(2);
  #carryLen = 0;
  #out = new Uint8Array(0);

  #room(n: number): Uint8Array {
    if (this.#out.length < n) this.#out = new Uint8Array(n);
    return this.#out;
  }

  /** Encodes what can be encoded now; a view valid until the next call. */
  push(chunk: Uint8Array): Uint8Array {
    const out = this.#room(base64Length(chunk.length + this.#carryLen));
    let o = 0;
    let i = 0;
    if (this.#carryLen) {
      // Complete the carried group with the first bytes of this chunk.
      const need = 3 - this.#carryLen;
      if (chunk.length < need) {
        this.#carry.set(chunk, this.#carryLen);
        this.#carryLen += chunk.length;
        return out.subarray(0, 0);
      }
      const g = new Uint8Array(3);
      g.set(this.#carry.subarray(0, this.#carryLen));
      g.set(chunk.subarray(0, need), this.#carryLen);
      o = group(g, 0, out, o);
      i = need;
      this.#carryLen = 0;
    }
    const whole = i + Math.floor((chunk.length - i) / 3) * 3;
    for (; i < whole; i += 3) o = group(chunk, i, out, o);
    this.#carry.set(chunk.subarray(whole));
    this.#carryLen = chunk.length - whole;
    return out.subarray(0, o);
  }

  /** The rest, padded. */
  end(): Uint8Array {
    const out = new Uint8Array(this.#carryLen ? 4 : 0);
    if (this.#carryLen === 1) {
      const b0 = this.#carry[0];
      out.set([ALPHABET[b0 >> 2], ALPHABET[(b0 & 3) << 4], PAD, PAD]);
    } else if (this.#carryLen === 2) {
      const [b0, b1] = this.#carry;
      out.set([
        ALPHABET[b0 >> 2],
        ALPHABET[((b0 & 3) << 4) | (b1 >> 4)],
        ALPHABET[(b1 & 15) << 2],
        PAD,
      ]);
    }
    this.#carryLen = 0;
    return out;
  }
}

function group(src: Uint8Array, i: number, out: Uint8Array, o: number): number {
  const n = (src[i] << 16) | (src[i + 1] << 8) | src[i + 2];
  out[o] = ALPHABET[n >> 18];
  out[o + 1] = ALPHABET[(n >> 12) & 63];
  out[o + 2] = ALPHABET[(n >> 6) & 63];
  out[o + 3] = ALPHABET[n & 63];
  return o + 4;
}

/** Decodes base64 text chunk by chunk; throws on characters that are not base64. */
export class Base64Decoder {
  #carry = new Uint8Array(4);
  #carryLen = 0;
  #ended = false;
  #out = new Uint8Array(0);

  /** Decodes complete 4-character groups; a view valid until the next call. */
  push(text: Uint8Array): Uint8Array {
    const max = Math.ceil((text.length + 4) / 4) * 3;
    if (this.#out.length < max) this.#out = new Uint8Array(max);
    const out = this.#out;
    let o = 0;
    let i = 0;
    if (text.length && this.#ended) throw new Error("base64 data after padding");
    if (this.#carryLen) {
      while (this.#carryLen < 4 && i < text.length) this.#carry[this.#carryLen++] = text[i++];
      if (this.#carryLen < 4) return out.subarray(0, 0);
      this.#carryLen = 0;
      const c = this.#carry;
      o = this.#group(c[0], c[1], c[2], c[3], out, o);
    }
    const whole = i + ((text.length - i) & ~3);
    for (; i < whole; i += 4) {
      if (this.#ended) throw new Error("base64 data after padding");
      o = this.#group(text[i], text[i + 1], text[i + 2], text[i + 3], out, o);
    }
    if (i < text.length && this.#ended) throw new Error("base64 data after padding");
    while (i < text.length) this.#carry[this.#carryLen++] = text[i++];
    return out.subarray(0, o);
  }

  #group(c0: number, c1: number, c2: number, c3: number, out: Uint8Array, o: number): number {
    const v0 = VALUE[c0];
    const v1 = VALUE[c1];
    const v2 = VALUE[c2];
    const v3 = VALUE[c3];
    if ((v0 | v1 | v2 | v3) >= 0) {
      out[o] = (v0 << 2) | (v1 >> 4);
      out[o + 1] = ((v1 & 15) << 4) | (v2 >> 2);
      out[o + 2] = ((v2 & 3) << 6) | v3;
      return o + 3;
    }
    // Padding may only end the data: "xx==" or "xxx=".
    if (v0 < 0 || v1 < 0 || c3 !== PAD || (c2 !== PAD && v2 < 0)) {
      throw new Error("invalid base64 data");
    }
    this.#ended = true;
    out[o++] = (v0 << 2) | (v1 >> 4);
    if (c2 !== PAD) out[o++] = ((v1 & 15) << 4) | (v2 >> 2);
    return o;
  }

  /** Throws if a partial group is left over. */
  end(): void {
    if (this.#carryLen) throw new Error("base64 data ends mid-group");
  }
}
