/** The console sink: event text (or JSON lines with `-j`) on standard output, as it happens. */
import type { JobEvent } from "../events/event.ts";
import { isTerminalLine, writeEventJson, writeEventText } from "./artifacts.ts";
import { PythonJson } from "./python_json.ts";
import type { JobSink } from "./sink.ts";
import { osError } from "../config/errors.ts";

// CSI and OSC sequences, as Ansible's colour output uses them.
// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g;

/** Removes terminal escape sequences. */
export function stripAnsi(s: string): string {
  return s.replace(ANSI, "");
}

/** Options of {@link ConsoleSink}. */
export interface ConsoleOptions {
  json?: boolean;
  /** Strip colours (setting `suppress_ansi_output`). */
  stripAnsi?: boolean;
  /** Where to write; standard output by default. */
  out?: { writeSync(p: Uint8Array): number };
  /** Where a console that cannot be written is said, once (default: stderr). */
  warn?: (msg: string) => void;
}

/** Prints each event as it arrives. */
export class ConsoleSink implements JobSink {
  #opts: ConsoleOptions;
  #out: { writeSync(p: Uint8Array): number };
  #encoder = new TextEncoder();
  /** Set once a write failed: the console is left alone from then on. */
  #lost = false;

  constructor(opts: ConsoleOptions = {}) {
    this.#opts = opts;
    this.#out = opts.out ?? Deno.stdout;
  }

  event(ev: JobEvent): void {
    if (this.#lost) return;
    try {
      // With -j, lines printed outside any event stay text, as ansible-runner prints them.
      const json = this.#opts.json && !isTerminalLine(ev);
      const transform = this.#opts.stripAnsi ? stripAnsi : undefined;
      if (json) writeEventJson(this.#out, ev, this.#encoder, "\n", new PythonJson());
      else writeEventText(this.#out, ev, this.#encoder, transform);
    } catch (e) {
      // A console that cannot be written (a closed pipe, a full disk, a terminal gone) must not
      // fail the job: the artifacts, the wire and the handlers still get everything. A closed
      // pipe is a reader that has seen enough (`| head`); anything else is said once.
      this.#lost = true;
      if (e instanceof Deno.errors.BrokenPipe) return;
      const warn = this.#opts.warn ?? ((m: string) => {
        try {
          console.error(m);
        } catch { /* stderr is gone too */ }
      });
      warn(
        `runner: warning: cannot write to the console: ${
          osError((e as Error).message).reason
        }; the job goes on, its artifacts whole`,
      );
    }
  }
}
