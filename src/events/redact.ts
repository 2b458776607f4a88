/** Removes secret values (passwords, key lines) from events before anything writes them. */
import { type JobEvent, setTerminalLineEnd, terminalLineEnd } from "./event.ts";
import { attachSpill, spilledText } from "./spill.ts";

const MASK = "********";

/** Replaces every occurrence of any secret in strings, deeply. Secrets shorter than 3 chars are ignored. */
export class Redactor {
  #secrets: string[];

  constructor(secrets: string[]) {
    // Longest first, so a secret containing another is masked whole.
    this.#secrets = [...new Set(secrets.filter((s) => s.length >= 3))].sort((a, b) =>
      b.length - a.length
    );
  }

  /** True when there is nothing to mask. */
  get empty(): boolean {
    return this.#secrets.length === 0;
  }

  /** Masks secrets in a string. */
  text(s: string): string {
    for (const secret of this.#secrets) {
      if (s.includes(secret)) s = s.replaceAll(secret, MASK);
    }
    return s;
  }

  /** Masks secrets in any JSON-like value (returns a new value when something changed). */
  value<T>(v: T): T {
    if (this.empty) return v;
    if (typeof v === "string") return this.text(v) as T;
    if (Array.isArray(v)) return v.map((x) => this.value(x)) as T;
    if (v && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[this.text(k)] = this.value(x);
      return out as T;
    }
    return v;
  }

  /** The longest secret (a spill holds back this much to mask matches split across pieces). */
  get longest(): number {
    return this.#secrets[0]?.length ?? 0;
  }

  /** Masks an event's strings (a spilled text was masked as it was written). */
  event(ev: JobEvent): JobEvent {
    if (this.empty) return ev;
    const spilled = spilledText(ev);
    if (!spilled) return setTerminalLineEnd(this.value(ev), terminalLineEnd(ev));
    const { stdout: _lazy, ...rest } = Object.getOwnPropertyDescriptors(ev);
    const copy = this.value(Object.defineProperties({}, rest)) as JobEvent;
    return setTerminalLineEnd(
      attachSpill(Object.assign({ stdout: "" }, copy), spilled),
      terminalLineEnd(ev),
    );
  }
}
