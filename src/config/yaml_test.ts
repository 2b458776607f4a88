import { askPythonEach } from "../testing/python.ts";
import { assert, assertEquals, assertRejects } from "../testing/assert.ts";
import { PyFloat, pyFloatRepr, pythonStr, PyTimestamp } from "./py_scalars.ts";
import { parseYaml } from "./yaml.ts";

Deno.test("yaml: PyYAML safe_load semantics", async () => {
  assertEquals(
    await parseYaml(
      "a: yes\nb: y\nc: n\nd: 1e3\ne: 1.5e+3\nf: 017\ng: 1:30\nh: off\ni: 1.5e3\nj: ~",
    ),
    { a: true, b: "y", c: "n", d: "1e3", e: 1500, f: 15, g: 90, h: false, i: "1.5e3", j: null },
  );
});

Deno.test("yaml: duplicate keys keep the last value; JSON is YAML; blank is null", async () => {
  assertEquals(await parseYaml("a: 1\na: 2"), { a: 2 });
  assertEquals(await parseYaml('{"x": [1, true]}'), { x: [1, true] });
  assertEquals(await parseYaml(" \n\t\n"), null);
  assertEquals(await parseYaml("# only a comment\n"), null);
});

Deno.test("yaml: bad syntax rejects", async () => {
  await assertRejects(() => parseYaml("a: [1, 2"));
});

Deno.test("yaml: a tag PyYAML's safe_load does not know rejects, naming it and where", async () => {
  await assertRejects(() => parseYaml("a: 1\nb: !foo x\n"), /unknown tag !foo at line 2, column 4/);
  await assertRejects(() => parseYaml("a: !unsafe x\nb: [1]\n"), /unknown tag !unsafe/);
});

Deno.test("yaml: Ansible's !unsafe and !vault, where asked for, read as their text", async () => {
  const text = "id: 42\nuser: !unsafe 'admin'\nt: !unsafe '{{ x }}'\nl: !unsafe ['{{ y }}', 2]\n" +
    "m: !unsafe {k: v}\nv: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  3031\n";
  assertEquals(await parseYaml(text, { ansibleTags: true }), {
    id: 42,
    user: "admin",
    t: "{{ x }}",
    l: ["{{ y }}", 2],
    m: { k: "v" },
    v: "$ANSIBLE_VAULT;1.1;AES256\n3031\n",
  });
});

/** Plain scalars around PyYAML's rules for timestamps, integers, floats and booleans. */
function scalars(): string[] {
  const out = [
    "2024-01-01",
    "2024-1-1",
    "2024-01-1",
    "0001-01-01",
    "0000-01-01",
    "2024-02-29",
    "2023-02-29",
    "1900-02-29",
    "2000-02-29",
    "2024-04-31",
    "2024-13-01",
    "2024-00-10",
    "2024-01-01T10:00",
    "2024-01-01 10:00:00.",
    "2024-01-01t1:02:03",
    "2024-1-1 01:02:03",
    "2024-01-01 24:00:00",
    "2024-01-01 10:60:00",
    "2024-01-01 10:00:60",
    "2024-01-01 10:0:00",
    "20240-01-01",
    "2024-01-01x",
    "!!timestamp 2024-03-04",
    "!!timestamp '2024-03-04 05:06:07'",
    "'2024-01-01'",
    // Integers: decimal, octal, binary, hexadecimal, base 60, underscores, and near misses.
    ...["0", "-0", "+0", "7", "09", "0_9", "007", "0o7", "0b101", "0b", "0x_1F", "0x", "1_000"],
    ...["1__0", "_1", "1_", "12345678901234567890", "-9007199254740993", "1:2", "0:30"],
    ...["01:30", "190:20:30", "1:60", "1:2:3", "+1:30", "-1:30"],
    // Floats: Python writes them back its own way (1.0, 1e-05, 1e+16).
    ...["1.0", "100.0", "-0.0", "0.", "00.5", "1.50", "3.10", "1_000.5", ".5", "+.5", "-.5"],
    ...[".", "._", "._5", "1e5", "1.e+5", "1.0e+20", ".5E-3", "1.5e3", "0.0001", "0.00001"],
    ...["123456789.123456789", "1e16", "1.0e+16", "9999999999999998.0", "1.0e+15", "1:30.5"],
    ...["-1:30.5", "0:30.5", "1.0e-7", "2.5e-300", "1.7976931348623157e+308", "1.0e+309"],
    ...[".inf", "-.inf", "+.Inf", ".NaN", ".nan", "-.nan", "nan"],
    // Booleans, nulls, text.
    ...["yes", "No", "on", "OFF", "y", "n", "True", "tRUE", "~", "null", "NULL", "nil"],
  ];
  for (const fraction of ["", ".5", ".10", ".000001", ".0000001", ".1234567", ".000000"]) {
    for (
      const tz of ["", "Z", " Z", "+5", "-5", "+05:30", " -0:30", "-00", "+23:59", "+24", "-9:99"]
    ) {
      out.push(`2001-12-14 21:59:43${fraction}${tz}`);
    }
  }
  return out;
}

Deno.test("yaml: envvars' scalars become the text Python's str() makes of PyYAML's values", async () => {
  const all = scalars();
  const expected = await askPythonEach<[string, string]>(
    `import datetime, yaml
def answer(s):
    try:
        v = yaml.safe_load("v: " + s)["v"]
    except Exception:
        return ["error", ""]
    kind = "timestamp" if isinstance(v, (datetime.date, datetime.datetime)) else type(v).__name__
    return [kind, str(v)]`,
    all,
  );
  const kinds = new Map<string, number>();
  for (const [i, s] of all.entries()) {
    let ours: [string, string];
    try {
      const v = ((await parseYaml(`v: ${s}`, { pythonText: true })) as Record<string, unknown>).v;
      ours = [kindOf(v), pythonStr(v) ?? "?"];
    } catch {
      ours = ["error", ""];
    }
    assertEquals(ours, expected[i], s);
    kinds.set(ours[0], (kinds.get(ours[0]) ?? 0) + 1);
  }
  for (const kind of ["timestamp", "int", "float", "bool", "NoneType", "str", "error"]) {
    assert((kinds.get(kind) ?? 0) >= 3, `${kind}: ${kinds.get(kind)}`);
  }
});

/** The name of Python's type for what PyYAML would make of the value. */
function kindOf(v: unknown): string {
  if (v instanceof PyTimestamp) return "timestamp";
  if (v instanceof PyFloat) return "float";
  if (typeof v === "bigint" || typeof v === "number") return "int";
  if (typeof v === "boolean") return "bool";
  if (v === null) return "NoneType";
  return typeof v === "string" ? "str" : "?";
}

Deno.test("yaml: Python's float repr", () => {
  const cases: [number, string][] = [
    [1, "1.0"],
    [-0, "-0.0"],
    [0.0001, "0.0001"],
    [0.00001, "1e-05"],
    [1e16, "1e+16"],
    [1.5e16, "1.5e+16"],
    [123456789.123, "123456789.123"],
    [1e15, "1000000000000000.0"],
    [-2.5e-300, "-2.5e-300"],
    [Infinity, "inf"],
    [NaN, "nan"],
  ];
  for (const [x, text] of cases) assertEquals(pyFloatRepr(x), text, String(x));
});

Deno.test("yaml: an impossible date says why, where", async () => {
  await assertRejects(
    () => parseYaml("a: 1\nday: 2024-02-30\n"),
    /timestamp 2024-02-30: day is out of range for month at line 2, column 6/,
  );
});

Deno.test("yaml: a JSON file is read as Python's json reads it first, as ansible-runner does", async () => {
  const docs = [
    '{"A": 1.0, "B": 1e2, "C": 12345678901234567890, "D": -0.0, "E": 1E-7, "F": 0.1}',
    '{"A": true, "B": null, "C": "\\u00e9\\n", "D": 5, "A": "last"}',
    "A: 1e2\nB: 1.0e+2\nC: 1.0\n",
    '  {"A": 2.50}  \n',
  ];
  const expected = await askPythonEach<Record<string, string>>(
    `import yaml
def answer(d):
    try:
        v = json.loads(d)
    except ValueError:
        v = yaml.safe_load(d)
    return {k: str(x) for k, x in v.items()}`,
    docs,
  );
  for (const [i, doc] of docs.entries()) {
    const v = await parseYaml(doc, { pythonText: true }) as Record<string, unknown>;
    const ours = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, pythonStr(x)]));
    assertEquals(ours, expected[i], doc);
  }
  // Settings read numbers from JSON as numbers, exponents included.
  assertEquals(await parseYaml('{"idle_timeout": 1e2}'), { idle_timeout: 100 });
});

Deno.test("yaml: envvars' keys are Python's str() of PyYAML's keys, equal keys one entry", async () => {
  const keys = ["yes", "No", "null", "~", "1.0", "1", "true", "0x10", "16", "'16'", "2024-01-01"];
  keys.push("2024-01-01 00:00:00", "1_000", ".inf", "-.inf", ".nan", "0", "false", "0.0");
  keys.push("-0.0", "017", "0o17", "1:30", "90", "!!binary aGk=", "x", "'True'", "[a, b]");
  const docs: string[] = [];
  let seed = 7;
  const pick = () =>
    keys[Math.floor((seed = (seed * 16807) % 2147483647) / 2147483647 * keys.length)];
  for (let i = 0; i < 200; i++) {
    docs.push(Array.from({ length: 4 }, (_, j) => `? ${pick()}\n: v${j}\n`).join(""));
  }
  // Values as keys are: binary data prints as Python prints bytes.
  docs.push("a: !!binary aGVsbG8n\nb: !!binary AP8nIlwJ\nc: !!binary Jw==\n");
  const expected = await askPythonEach<Record<string, string> | null>(
    `import yaml
def answer(d):
    try:
        return {str(k): str(v) for k, v in yaml.safe_load(d).items()}
    except yaml.YAMLError:
        return None`,
    docs,
  );
  let refused = 0;
  for (const [i, doc] of docs.entries()) {
    let ours: Record<string, string | undefined> | null;
    try {
      const v = await parseYaml(doc, { pythonText: true }) as Record<string, unknown>;
      ours = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, pythonStr(x)]));
    } catch {
      ours = null;
      refused++;
    }
    assertEquals(ours, expected[i], doc);
  }
  assert(refused > 5 && refused < 150, `${refused} refused`);
});
