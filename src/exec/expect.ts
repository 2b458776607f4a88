/**
 * The prompt/answer loop as a pure state machine: output text in, answers out. Each
 * pattern is searched in the output seen since the last answer, as pexpect does.
 */
import { markStartAtEnd, RECORD_CLOSE, RECORD_OPEN } from "../events/record_marks.ts";

/** A compiled `env/passwords` entry. */
export interface PromptRule {
  pattern: RegExp;
  answer: string;
}

// deno-lint-ignore no-control-regex
const APC = /\x1b_[^\x1b]*\x1b\\/g;

/** Output kept for matching: prompts are short, so a bounded window is enough. */
const WINDOW = 8192;

/**
 * Where `pattern` first matches some text in `window` (a match of nothing, which `.*` or `^$`
 * make anywhere, is passed over: a prompt is text, and an empty match, answered, would be
 * found again at once, without end). `pattern` is a global copy of a rule's.
 */
function firstMatch(pattern: RegExp, window: string): RegExpExecArray | null {
  pattern.lastIndex = 0;
  for (let m = pattern.exec(window); m; m = pattern.exec(window)) {
    if (m[0].length > 0) return m;
    if (pattern.lastIndex >= window.length) break;
    pattern.lastIndex++;
  }
  return null;
}

/** Feeds output, yields the lines to send. */
export class PromptMatcher {
  #rules: PromptRule[];
  #window = "";
  /** Inside an event record: its JSON may hold any text of a result, prompt-like or not. */
  #inRecord = false;
  /** The end of the last output, held back: it may begin a record's marker or end. */
  #carry = "";

  constructor(rules: PromptRule[]) {
    // Global copies, so that a search can go on past an empty match.
    this.#rules = rules.map((r) => ({
      pattern: new RegExp(r.pattern.source, r.pattern.flags.replace("g", "") + "g"),
      answer: r.answer,
    }));
  }

  /** Adds output; returns the answers (each with its newline) to write, in order. */
  feed(text: string): string[] {
    if (this.#rules.length === 0) return [];
    // Event records and other APC strings are not part of what a person sees before a prompt.
    this.#window = (this.#window + this.#visible(text)).replace(APC, "").slice(-WINDOW);
    const answers: string[] = [];
    for (;;) {
      let best: { end: number; start: number; answer: string } | null = null;
      for (const rule of this.#rules) {
        const m = firstMatch(rule.pattern, this.#window);
        if (m && (best === null || m.index < best.start)) {
          best = { start: m.index, end: m.index + m[0].length, answer: rule.answer };
        }
      }
      if (!best) break;
      answers.push(best.answer + "\n");
      this.#window = this.#window.slice(best.end);
    }
    return answers;
  }

  /** The output less the event records, which may arrive split across any number of reads. */
  #visible(text: string): string {
    let s = this.#carry + text;
    this.#carry = "";
    let out = "";
    while (s) {
      if (this.#inRecord) {
        const end = s.indexOf(RECORD_CLOSE);
        if (end < 0) {
          this.#carry = s.slice(s.length - markStartAtEnd(s, RECORD_CLOSE));
          break;
        }
        s = s.slice(end + RECORD_CLOSE.length);
        this.#inRecord = false;
      } else {
        const start = s.indexOf(RECORD_OPEN);
        if (start < 0) {
          const hold = markStartAtEnd(s, RECORD_OPEN);
          out += s.slice(0, s.length - hold);
          this.#carry = s.slice(s.length - hold);
          break;
        }
        out += s.slice(0, start);
        s = s.slice(start + RECORD_OPEN.length);
        this.#inRecord = true;
      }
    }
    return out;
  }
}
