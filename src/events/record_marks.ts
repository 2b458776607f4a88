/**
 * How the callback plugin frames an event record in the terminal stream:
 * `ESC _ RNR <JSON> ESC \` opens an event, `ESC _ RNR . ESC \` closes it. Shared by the event
 * parser and the prompt matcher, which must not take a record's text for a prompt.
 */

/** What begins every record. */
export const RECORD_OPEN = "\x1b_RNR";
/** What ends every record (the JSON inside holds no ESC). */
export const RECORD_CLOSE = "\x1b\\";

/** Length of the longest end of `s` that is a proper beginning of `mark`. Pure. */
export function markStartAtEnd(s: string, mark: string): number {
  for (let n = Math.min(mark.length - 1, s.length); n > 0; n--) {
    if (s.endsWith(mark.slice(0, n))) return n;
  }
  return 0;
}
