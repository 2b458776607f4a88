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
      const line = `${new Date().toISOString()} ${msg}\n`;
      if (opts.debug) Deno.stderr.writeSync(enc.encode(line));
      file?.writeSync(enc.encode(line));
    },
    close: () => file?.close(),
  };
}
