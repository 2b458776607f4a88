/** runner's own diagnostics (`--debug` on stderr, `--logfile`), never the job's secrets. */

/** A diagnostics writer. */
export interface Logger {
  write: (msg: string) => void;
  close: () => void;
}

/** Builds a logger; with neither option it discards everything. */
export function makeLogger(opts: { debug?: boolean; logfile?: string }): Logger {
  const enc = new TextEncoder();
  const file = opts.logfile
    ? Deno.openSync(opts.logfile, { append: true, create: true, mode: 0o600 })
    : null;
  return {
    write: (msg) => {
      const line = enc.encode(`${new Date().toISOString()} ${msg}\n`);
      // Diagnostics that cannot be written (a full disk) are dropped: they must not end the job.
      try {
        if (opts.debug) Deno.stderr.writeSync(line);
      } catch { /* dropped */ }
      try {
        file?.writeSync(line);
      } catch { /* dropped */ }
    },
    close: () => file?.close(),
  };
}
