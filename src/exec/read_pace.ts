/**
 * How to wait for more output from a pty, decided from the reads so far. Pure.
 *
 * Ansible writes one event at a time in small flushes, and each wake-up of the reader costs
 * far more than the bytes it reads: on this 2-core virtual machine ~110 µs of CPU for a wait
 * through Deno's non-blocking FFI (a thread hop each way), all of it from cold caches. So a
 * read that finds the pty empty is followed by a gathering wait (the pty not watched), as long
 * as the pty can hold at the quickest pace the output has lately come: GATHER_BYTES, ~40 % of
 * the ~20 KB at which a pty's writer blocks. The pace is the peak of recent drains (a drain:
 * the bytes read since the pty was last found empty, over the time since), halving every
 * PEAK_HALF_LIFE_MS, so one slow read does not lengthen the next waits and a burst after a
 * quiet spell is met by short ones again.
 *
 * A writer that fills the pty (a task printing 200,000 lines) is another matter: it would sit
 * blocked for most of any wait, so after a drain of FILLED_BYTES or more the reader polls,
 * woken as soon as the writer writes again.
 */

/** A drain this large means the writer may have been blocked on a full pty. */
export const FILLED_BYTES = 12000;
/** How much output a gathering wait may let pile up in the pty, at the peak pace. */
export const GATHER_BYTES = 8000;
/** The shortest and longest gathering waits. */
export const MIN_GATHER_MS = 10;
export const MAX_GATHER_MS = 30;
/** How fast the remembered peak pace fades. */
export const PEAK_HALF_LIFE_MS = 2000;

/** Tracks the reads of one pty and says how to wait for the next. */
export class ReadPace {
  #drained = 0;
  #lastDrain = 0;
  #emptyAt: number | null = null;
  /** Bytes per millisecond of the quickest recent drain, as of #peakAt (0: none yet). */
  #peak = 0;
  #peakAt = 0;

  /** Records a read made at `now` (ms): the bytes it returned, 0 when the pty was empty. */
  observe(bytes: number, now: number): void {
    if (bytes > 0) {
      this.#drained += bytes;
      return;
    }
    // Found empty: the bytes read since it was last found empty came in meanwhile.
    if (this.#drained > 0 && this.#emptyAt !== null) {
      const pace = this.#drained / Math.max(now - this.#emptyAt, 1);
      const faded = this.#peak * 0.5 ** ((now - this.#peakAt) / PEAK_HALF_LIFE_MS);
      this.#peak = Math.max(pace, faded);
      this.#peakAt = now;
    }
    this.#lastDrain = this.#drained;
    this.#drained = 0;
    this.#emptyAt = now;
  }

  /** True when the pty may have been full: wait by polling it, not on a timer. */
  get streaming(): boolean {
    return this.#lastDrain >= FILLED_BYTES;
  }

  /** How long to wait for more output before looking again (when not streaming). */
  gatherMs(now: number): number {
    const peak = this.#peak * 0.5 ** ((now - this.#peakAt) / PEAK_HALF_LIFE_MS);
    if (peak <= 0) return MIN_GATHER_MS;
    return Math.round(Math.min(MAX_GATHER_MS, Math.max(MIN_GATHER_MS, GATHER_BYTES / peak)));
  }
}
