/**
 * How to wait for more output from a pty, decided from the reads so far. Pure.
 *
 * Ansible writes one event at a time in small flushes: a wait between reads gathers several
 * events per read and costs far less than waking for each. The wait is as long as the pty can
 * hold at the pace the output has been coming (GATHER_BYTES, ~60 % of the ~20 KB at which a
 * pty's writer blocks), between MIN_GATHER_MS and MAX_GATHER_MS: slow output is gathered for
 * long, quick output for short, so the writer is not held up. A writer that streams (a task
 * printing 200,000 lines) is another matter: the pty would fill at once and the writer sit
 * blocked; poll wakes the reader as soon as it writes again.
 */

/** The pty hands over at most 4 KiB a read: one this full means more is waiting. */
export const FULL_READ = 4000;
/** How much output a gathering wait may let pile up in the pty. */
export const GATHER_BYTES = 12000;
/** The shortest and longest gathering waits. */
export const MIN_GATHER_MS = 2;
export const MAX_GATHER_MS = 40;

/** Tracks the reads of one pty and says how to wait for the next. */
export class ReadPace {
  #streak = 0;
  #last = 0;
  #lastReadAt: number | null = null;
  /** Bytes per millisecond of the last read that brought any (null: none yet). */
  #rate: number | null = null;

  /** Records a read made at `now` (ms): the bytes it returned, 0 when the pty was empty. */
  observe(bytes: number, now: number): void {
    this.#streak = bytes > 0 ? this.#streak + 1 : 0;
    this.#last = bytes;
    // A read empties the pty: what the next one returns came in since.
    if (bytes > 0 && this.#lastReadAt !== null) {
      this.#rate = bytes / Math.max(now - this.#lastReadAt, 1);
    }
    this.#lastReadAt = now;
  }

  /** True when the last reads came back to back, or the last one was full. */
  get streaming(): boolean {
    return this.#streak >= 2 || this.#last >= FULL_READ;
  }

  /** How long to wait for more output before looking again (when not streaming). */
  get gatherMs(): number {
    if (this.#rate === null) return MIN_GATHER_MS;
    return Math.round(Math.min(MAX_GATHER_MS, Math.max(MIN_GATHER_MS, GATHER_BYTES / this.#rate)));
  }
}
