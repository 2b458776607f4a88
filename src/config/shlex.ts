/**
 * Word splitting as Python's `shlex.split(text)` does it (POSIX mode, no comments), which is how
 * ansible-runner reads `env/cmdline` and `--cmdline`. It is not a shell's: `#` starts no comment,
 * a backslash before a newline keeps the newline, and inside double quotes a backslash escapes
 * only `"` and `\`. Only space, tab, CR and LF separate words. Pure.
 * @module
 */

const WHITESPACE = " \t\r\n";

/** Splits `text` into words; throws on an unterminated quote or a trailing escape. */
export function shlexSplit(text: string): string[] {
  const words: string[] = [];
  let word = "";
  /** A word has begun (it may be empty: `''`). */
  let inWord = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (WHITESPACE.includes(ch)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
      i++;
    } else if (ch === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new Error("No closing quotation");
      word += text.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (ch === '"') {
      for (i++;; i++) {
        if (i >= text.length) throw new Error("No closing quotation");
        const c = text[i];
        if (c === '"') break;
        if (c === "\\") {
          if (i + 1 >= text.length) throw new Error("No escaped character");
          const next = text[++i];
          word += next === '"' || next === "\\" ? next : c + next;
        } else word += c;
      }
      inWord = true;
      i++;
    } else if (ch === "\\") {
      if (i + 1 >= text.length) throw new Error("No escaped character");
      word += text[i + 1];
      inWord = true;
      i += 2;
    } else {
      word += ch;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}
