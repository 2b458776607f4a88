import { askPythonEach } from "../testing/python.ts";
import { assert, assertEquals } from "../testing/assert.ts";
import { pyJsonDumps, roleVarValue } from "./py_literal.ts";

const HAND = [
  ...["1", "-1", "+1.5", "--1", "-(1)", "-((2.5))", "-True", "01", "00", "0_0", "1_000"],
  ...["0x_1f", "0o17", "0b101", "1__0", "1.", ".5", "1e3", "1E+3", "1_0.0_1", "1e999", "-0"],
  ...["-0.0", "1e16", "0.00001", "12345678901234567890", "(1)", "()", "(1,)", "(1,2,)", "[1,]"],
  ...["[]", "{}", "{1}", "{1:2,}", "{'b':1,2:2,3.0:3,True:4,None:5}", "{'a':[1,(2,3)]}", "[-1,+2]"],
  ...["'a''b'", "'a'\"b\"", "u'x'", "r'\\n'", "b'x'", "f'x'", "'''t'''", "'\\x41\\101\\u00e9'"],
  ...["'\\q'", "'\\N{DASH}'", "'é'", "None", "True", "False", "inf", "nan", "a", "a=b", "'x"],
  ...["1j", "1+2j", "1+2", "[1,[2,[3,{'k':(4,)}]]]", "{(1,2):3}", "{[1]:2}", "'\\777'", ""],
];

/** Tokens made of the pieces that matter to Python's literals, from a fixed seed. */
function generated(n: number): string[] {
  const pieces = ["1", "0", "_", ".", "e", "-", "+", "x", "(", ")", "[", "]", "{", "}", ",", ":"];
  pieces.push("'", '"', "a", "True", "None", "\\", "j", "u", "r", "b", "9", "'s'", "2.5");
  let seed = 42;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: n }, () => {
    let s = "";
    for (let k = 1 + Math.floor(next() * 6); k > 0; k--) {
      s += pieces[Math.floor(next() * pieces.length)];
    }
    return s;
  });
}

Deno.test("role vars: each value is what ast.literal_eval and json.dumps make of it", async () => {
  const tokens = [...HAND, ...generated(6000)];
  const expected = await askPythonEach<string | null>(
    `import ast
def answer(s):
    try:
        v = ast.literal_eval(s)
    except Exception:
        v = s
    try:
        return json.dumps(v)
    except Exception:
        return None`,
    tokens,
  );
  let literals = 0;
  tokens.forEach((token, i) => {
    const ours = pyJsonDumps(roleVarValue(token));
    // Where json.dumps fails (bytes, sets, complex), ansible-runner fails; runner keeps the text.
    assertEquals(ours, expected[i] ?? pyJsonDumps(token), token);
    if (ours !== pyJsonDumps(token)) literals++;
  });
  assert(literals > 300, `${literals} literals`);
});
