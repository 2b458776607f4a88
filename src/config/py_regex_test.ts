import { askPython } from "../testing/python.ts";
import { assert, assertEquals, assertThrows } from "../testing/assert.ts";
import { compilePythonRegex } from "./py_regex.ts";

/** AWX's prompts, and patterns that use what Python and JavaScript read differently. */
const PATTERNS = [
  "Enter passphrase for .*:\\s*?$",
  "Bad passphrase, try again for .*:\\s*?$",
  "SSH password:\\s*?$",
  "BECOME password.*:\\s*?$",
  "Vault password:\\s*?$",
  "Vault password \\(prod\\-1\\):\\s*?$",
  "^Password:$",
  "^Password:",
  "Password:$",
  "(?i)^enter the code:",
  "(?s)a.b",
  "a.b",
  "\\Aa",
  "b\\Z",
  "[]x]+",
  "[^]x]+",
  "x{,2}y",
  "(?P<w>o)(?P=w)",
  "(?x) pass  word  # a comment\n :",
  "(?x)[ ]x",
  "(?i)(?s)P.S",
  "(?i:pass)WORD",
  "^$",
  "[\\^$.]",
  "\\$",
  "^\\s*$",
];

const TEXTS = [
  "Enter passphrase for /root/.ssh/id: ",
  "x\r\nSSH password: ",
  "Password:\r\n",
  "foo\rPassword:",
  "Password:\nnext",
  "a\nb",
  "a\rb",
  "axb",
  "xx]x",
  "xxy y",
  "oo",
  "pass word:",
  "password :",
  " x",
  "PASSWORD",
  "pS\nS",
  "passWORD",
  "\n\n",
  "$.^",
  "Vault password (prod-1): ",
  "BECOME password[sudo]:  ",
  "",
];

Deno.test("py regex: every pattern finds in every text what Python's re.M search finds", async () => {
  const expected = await askPython<(number[] | null)[][]>(
    `import json, re, sys
cases = json.load(sys.stdin)
out = []
for p in cases["patterns"]:
    r = re.compile(p, re.M)
    out.append([list(m.span()) if (m := r.search(t)) else None for t in cases["texts"]])
print(json.dumps(out))`,
    { patterns: PATTERNS, texts: TEXTS },
  );
  let found = 0;
  PATTERNS.forEach((p, i) => {
    const re = compilePythonRegex(p);
    TEXTS.forEach((t, j) => {
      const m = re.exec(t);
      const ours = m ? [m.index, m.index + m[0].length] : null;
      assertEquals(ours, expected[i][j], `${JSON.stringify(p)} in ${JSON.stringify(t)}`);
      if (m) found++;
    });
  });
  assert(found > 40, `${found} matches`);
});

Deno.test("py regex: a pattern Python refuses is refused", () => {
  for (const p of ["(unclosed", "[abc", "x\\"]) {
    assert(assertThrows(() => compilePythonRegex(p)) instanceof SyntaxError, p);
  }
});
