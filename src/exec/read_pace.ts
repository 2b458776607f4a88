/**
 * How to wait for more output from a pty, decided from the reads so far. Pure.
 *
 * Ansible writes one event at a time in small flushes: a 10 ms wait between reads gathers
 * several events per read and costs far less than waking for each. A writer that streams (a
 * task printing 200,000 lines) is another matter: it fills the ~20 KB a pty holds at once, so it
 * would sit blocked for most of each wait; poll wakes the reader as soon as it writes again.
 */

/** The pty hands over at most 4 KiB a read: one this full means more is waiting. */
export const FULL_READ = 4000;

/** Tracks the reads of one pty and says whether its writer is streaming. */
export class ReadPace {
  #streak = 0;
  #last = 0;

  /** Records a read: the bytes it returned, 0 when the pty was empty. */
  observe(bytes: number): void {
    this.#streak = bytes > 0 ? this.#streak + 1 : 0;
    this.#last = bytes;
  }

  /** True when the last reads came back to back, or the last one was full. */
  get streaming(): boolean {
    return this.#streak >= 2 || this.#last >= FULL_READ;
  }
}
