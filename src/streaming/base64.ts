/** Streaming base64: encode and decode in chunks with a carry, in constant memory. */

/** Number of base64 characters that encode `n` bytes (with padding). */
export function base64Length(n: number): number {
  return Math.ceil(n / 3) * 4;
}

/** Encodes bytes chunk by chunk; `end()` returns the padded tail. */
export class Base64Encoder {
  #carry = new Uint8Array(0);

  /** Encodes what can be encoded now (a multiple of 3 bytes). */
  push(chunk: Uint8Array): string {
    let data = chunk;
    if (this.#carry.length) {
      data = new Uint8Array(this.#carry.length + chunk.length);
      data.set(this.#carry);
      data.set(chunk, this.#carry.length);
    }
    const whole = data.length - (data.length % 3);
    this.#carry = data.slice(whole);
    return data.subarray(0, whole).toBase64();
  }

  /** The rest, padded. */
  end(): string {
    const out = this.#carry.toBase64();
    this.#carry = new Uint8Array(0);
    return out;
  }
}

const VALID = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decodes base64 text chunk by chunk; throws on characters that are not base64. */
export class Base64Decoder {
  #carry = "";
  #ended = false;

  /** Decodes complete 4-character groups; keeps the rest for the next chunk. */
  push(text: string): Uint8Array {
    if (this.#ended && text.length) throw new Error("base64 data after padding");
    const data = this.#carry + text;
    const whole = data.length - (data.length % 4);
    this.#carry = data.slice(whole);
    const part = data.slice(0, whole);
    if (!VALID.test(part)) throw new Error("invalid base64 data");
    if (part.endsWith("=")) this.#ended = true;
    return Uint8Array.fromBase64(part);
  }

  /** Throws if a partial group is left over. */
  end(): void {
    if (this.#carry.length) throw new Error("base64 data ends mid-group");
  }
}
