/**
 * The job's terminal output, held briefly between reads and handed on in batches. Pure.
 *
 * The pty is read as soon as output comes (its writer blocks at ~20 KB), but parsing and
 * recording events is the costly part of a wake-up: on a machine whose cores idle between
 * reads it runs from cold caches, ~75 µs an event when a batch holds two, ~20 µs when it holds
 * twenty. So reads are gathered into a batch handed on once it is BATCH_MS old or BATCH_BYTES
 * large, or when the output pauses (the reader's call): events reach the sinks at most ~0.1 s
 * late, memory stays bounded.
 */
import { concatBytes } from "../runtime/bytes.ts";

/** How long output may wait before it is handed on. */
export const BATCH_MS = 100;
/** How much output may wait before it is handed on. */
export const BATCH_BYTES = 1 << 16;

/** Output read but not yet handed on. */
export class OutputBatch {
  #chunks: Uint8Array[] = [];
  #bytes = 0;
  #since = 0;
  #maxAgeMs: number;

  /** `maxAgeMs`: how long output may wait (0: handed on at once). */
  constructor(maxAgeMs = BATCH_MS) {
    this.#maxAgeMs = maxAgeMs;
  }

  /** Adds a chunk read at `now` (ms). */
  push(chunk: Uint8Array, now: number): void {
    if (!chunk.length) return;
    if (!this.#chunks.length) this.#since = now;
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
  }

  /** Bytes held. */
  get size(): number {
    return this.#bytes;
  }

  /** Milliseconds from `now` until the batch is due (0: due now; Infinity: empty). */
  dueIn(now: number): number {
    if (!this.#bytes) return Infinity;
    if (this.#bytes >= BATCH_BYTES) return 0;
    return Math.max(0, this.#since + this.#maxAgeMs - now);
  }

  /** Everything held, in order, as one chunk; the batch is empty after. */
  take(): Uint8Array {
    const chunks = this.#chunks;
    this.#chunks = [];
    const bytes = this.#bytes;
    this.#bytes = 0;
    return concatBytes(chunks, bytes);
  }
}
