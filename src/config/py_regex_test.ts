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
  // Python's \w, \d, \s and \b are Unicode ones: German, Spanish and Arabic prompts.
  "^Passwort f\\w+r \\w+:\\s*$",
  "^[\\w ]+:\\s*$",
  "\\bf\\w*r\\b",
  "\\Bü",
  "\\d+",
  "^\\D+:",
  "[^\\W\\d]+",
  "[\\s\\d]+",
  "x\\sy",
  "x\\Sy",
  "[\\S]+",
  "(?a)[\\w ]+:",
  "(?a)x\\sy",
  "[]\\w]+",
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
  "Passwort für root: ",
  "Contraseña: ",
  "رمز ٣٤٥:",
  "x\u00a0y",
  "x\u2003y",
  "x\x1cy",
  "x\ufeffy",
  "über ü",
  "]é]",
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

Deno.test("py regex: \\w, \\d and \\s are Python's over the whole BMP", async () => {
  // Characters Python's Unicode (14.0) has not assigned are left out: newer JavaScript knows them.
  const python = await askPython<Record<string, number[]>>(
    `import json, re, sys, unicodedata
chars = [chr(c) for c in range(0x10000) if not 0xd800 <= c <= 0xdfff]
out = {k: [ord(c) for c in chars if re.match(k, c)] for k in ("\\\\w", "\\\\d", "\\\\s")}
out["unassigned"] = [ord(c) for c in chars if unicodedata.category(c) == "Cn"]
print(json.dumps(out))`,
    null,
  );
  const unassigned = new Set(python.unassigned);
  for (const cls of ["\\w", "\\d", "\\s"]) {
    const re = compilePythonRegex(`^${cls}`);
    const ours: number[] = [];
    for (let c = 0; c < 0x10000; c++) {
      if ((c < 0xd800 || c > 0xdfff) && !unassigned.has(c) && re.test(String.fromCharCode(c))) {
        ours.push(c);
      }
    }
    const theirs = python[cls].filter((c) => !unassigned.has(c));
    assertEquals(ours.length, theirs.length, cls);
    assertEquals(ours, theirs, cls);
  }
});

Deno.test("py regex: a pattern Python refuses is refused", () => {
  for (const p of ["(unclosed", "[abc", "x\\"]) {
    assert(assertThrows(() => compilePythonRegex(p)) instanceof SyntaxError, p);
  }
});
