/**
 * Reads a byte stream as the wire protocol needs it: one line at a time, or exactly N bytes
 * handed on in chunks (never buffered whole).
 */
import { concatBytes } from "../runtime/bytes.ts";

/** Raised when the input ends in the middle of something. */
export class TruncatedStream extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TruncatedStream";
  }
}

/** Size of the buffer a byte stream (stdin, a file) is read into. */
const BYOB_SIZE = 1 << 16;

/**
 * Line and fixed-length reads over a ReadableStream of bytes. A byte stream (Deno's stdin,
 * files, sockets) is read into one buffer, reused for every read: a payload of hundreds of MB
 * then allocates nothing per chunk.
 */
export class ByteReader {
  #reader: ReadableStreamDefaultReader<Uint8Array> | ReadableStreamBYOBReader;
  #byob: ArrayBuffer | null = null;
  #buf: Uint8Array = new Uint8Array(0);
  #done = false;

  constructor(stream: ReadableStream<Uint8Array>) {
    try {
      this.#reader = stream.getReader({ mode: "byob" });
      this.#byob = new ArrayBuffer(BYOB_SIZE);
    } catch {
      this.#reader = stream.getReader();
    }
  }

  /** Replaces the (empty) buffer with the next chunk; false at end of input. */
  async #fill(): Promise<boolean> {
    while (!this.#done) {
      const { value, done } = this.#byob
        ? await (this.#reader as ReadableStreamBYOBReader).read(new Uint8Array(this.#byob))
        : await (this.#reader as ReadableStreamDefaultReader<Uint8Array>).read();
      if (this.#byob && value) this.#byob = value.buffer as ArrayBuffer; // handed back to us
      if (done) this.#done = true;
      else if (value.length) {
        this.#buf = value;
        return true;
      }
    }
    return false;
  }

  /**
   * The next line without its newline; the rest at end of input if it has no newline; null at
   * end of input. Throws when a line exceeds `maxBytes`.
   */
  async readLine(maxBytes: number): Promise<Uint8Array | null> {
    const parts: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      if (this.#buf.length === 0 && !(await this.#fill())) {
        return parts.length ? concatBytes(parts, total) : null;
      }
      const nl = this.#buf.indexOf(10);
      if (nl >= 0) {
        parts.push(this.#buf.subarray(0, nl));
        this.#buf = this.#buf.subarray(nl + 1);
        // A line must outlive the next read, which reuses the buffer.
        return parts.length === 1 && this.#byob ? parts[0].slice() : concatBytes(parts, total + nl);
      }
      // Parts are kept across reads: copy them out of the reused buffer.
      parts.push(this.#byob ? this.#buf.slice() : this.#buf);
      total += this.#buf.length;
      this.#buf = new Uint8Array(0);
      if (total > maxBytes) throw new Error(`a line is longer than ${maxBytes} bytes`);
    }
  }

  /**
   * Hands exactly `n` bytes to `sink` in chunks, each valid only until the sink returns;
   * throws TruncatedStream if input ends first.
   */
  async readExact(n: number, sink: (chunk: Uint8Array) => void | Promise<void>): Promise<void> {
    let left = n;
    while (left > 0) {
      if (this.#buf.length === 0 && !(await this.#fill())) {
        throw new TruncatedStream(`input ended ${left} bytes short of the announced ${n}`);
      }
      const take = Math.min(left, this.#buf.length);
      await sink(this.#buf.subarray(0, take));
      this.#buf = this.#buf.subarray(take);
      left -= take;
    }
  }

  /** Lets go of the stream without cancelling it (the writer may still close it). */
  release(): void {
    this.#reader.releaseLock();
  }

  /** Stops reading (the underlying stream is cancelled). */
  async cancel(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
  }
}
