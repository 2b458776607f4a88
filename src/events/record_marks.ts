/**
 * How the callback plugin frames an event record in the terminal stream:
 * `ESC _ RNR <token> <JSON> ESC \` opens an event, `ESC _ RNR <token> . ESC \` closes it.
 * Shared by the event parser and the prompt matcher, which must not take a record's text for a
 * prompt (it drops anything that looks like a record, whatever its token).
 */

/** What begins every record (then comes the job's token, see {@link recordToken}). */
export const RECORD_OPEN = "\x1b_RNR";

/**
 * The token every frame of a job carries after RECORD_OPEN: the first 13 characters of the
 * job's marker (48 random bits), which the plugin reads from its environment. Frames in text
 * that came from elsewhere (a managed host's warning) lack it and stay text. Pure.
 */
export function recordToken(marker: string): string {
  return marker.slice(0, 13);
}

/** What ends every record (the JSON inside holds no ESC). */
export const RECORD_CLOSE = "\x1b\\";

/** Length of the longest end of `s` that is a proper beginning of `mark`. Pure. */
export function markStartAtEnd(s: string, mark: string): number {
  for (let n = Math.min(mark.length - 1, s.length); n > 0; n--) {
    if (s.endsWith(mark.slice(0, n))) return n;
  }
  return 0;
}
