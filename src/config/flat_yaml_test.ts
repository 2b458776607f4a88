import { askPythonEach } from "../testing/python.ts";
import { assert, assertEquals } from "../testing/assert.ts";
import { parseFlatYaml } from "./flat_yaml.ts";

const KEYS = [
  "__proto__",
  '"__proto__"',
  "constructor",
  "a",
  "ANSIBLE_NOCOLOR",
  "job_timeout",
  "x.y-z",
  '"^SSH password:\\\\s*?$"',
  "'it''s'",
  '"yes"',
  "yes",
  "1",
  "on",
  "key with space",
  "k:v",
  "_k",
];
const VALUES = [
  "toString",
  "constructor",
  "__proto__",
  "",
  "hello",
  "hello world",
  "yes",
  "No",
  "off",
  "ON",
  "y",
  "n",
  "true",
  "False",
  "~",
  "null",
  "NULL",
  "0",
  "-0",
  "+7",
  "600",
  "017",
  "0x1f",
  "1_000",
  "1:30",
  "1.5",
  "1e3",
  "1.5e+3",
  ".inf",
  "2001-12-14",
  '"false"',
  '"a\\tb\\u00e9\\x41\\\\"',
  '"unterminated',
  "'single'",
  "'it''s'",
  "'bad' x",
  '"x" # note',
  "plain # comment",
  "/usr/bin/python3",
  "a: b",
  "- item",
  "[1, 2]",
  "{a: 1}",
  "&anchor x",
  "*alias",
  "!!str 1",
  "|",
  ">",
  "a#b",
  "@x",
  "`x",
  "%x",
  "http://x",
  "ümlaut",
  "a  b  ",
  "-5",
  "9007199254740993",
];

function* documents(): Generator<string> {
  for (const k of KEYS) for (const v of VALUES) yield `${k}: ${v}\n`;
  yield "";
  yield "# only a comment\n";
  yield "---\na: 1\nb: two\n";
  yield "a: 1\n---\nb: 2\n";
  yield "a:\n  b: 1\n";
  yield "a:\nb: 1\n";
  yield "a: 1\na: 2\n";
  yield "  a: 1\n";
  yield "a:1\n";
  yield "a : 1\n";
  yield "a: 1\r\n";
  yield "a:\t1\n";
  yield "a: x\n  continued\n";
  yield "a: 1\n...\n";
  yield "%YAML 1.1\n---\na: 1\n";
  yield "a: \u0001\n";
  yield "just a scalar\n";
  yield "demo_greeting: hello\n# trailing\n\n";
}

Deno.test("flat yaml: every document it reads, it reads as PyYAML's safe_load does", async () => {
  const docs = [...documents()];
  const py = await askPythonEach<{ ok?: unknown; error?: true }>(
    `import math, yaml
def plain(o):
    if isinstance(o, float) and not math.isfinite(o):
        return {"float": str(o)}
    if isinstance(o, dict):
        return {str(k) if isinstance(k, str) else {"key": str(k)}.__repr__(): plain(v) for k, v in o.items()}
    if isinstance(o, list):
        return [plain(v) for v in o]
    if o is None or isinstance(o, (bool, int, float, str)):
        return o
    return {"other": str(o)}
def answer(d):
    try:
        return {"ok": plain(yaml.safe_load(d))}
    except Exception:
        return {"error": True}`,
    docs,
  );
  let read = 0;
  docs.forEach((doc, i) => {
    const ours = parseFlatYaml(doc);
    if (ours === undefined) return; // left to the full parser
    read++;
    assert(!py[i].error, `PyYAML rejects ${JSON.stringify(doc)}, the fast path read it`);
    assertEquals(ours, py[i].ok, JSON.stringify(doc));
  });
  assert(read > 150, `the fast path read ${read} of ${docs.length} documents`);
});

Deno.test("flat yaml: the demo's env files take the fast path", () => {
  for (const name of ["envvars", "extravars", "passwords", "settings"]) {
    const text = Deno.readTextFileSync(new URL(`../../demo/env/${name}`, import.meta.url));
    assert(parseFlatYaml(text) !== undefined, name);
  }
});
