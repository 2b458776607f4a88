import { assert, assertEquals, assertRejects } from "../testing/assert.ts";
import { PyTimestamp } from "./py_timestamp.ts";
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

/** Plain scalars around PyYAML's timestamp rules: forms it takes, forms it leaves as text. */
function timestampScalars(): string[] {
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

Deno.test("yaml: timestamps are what PyYAML makes of them, as Python's str() (envvars' text)", async () => {
  const scalars = timestampScalars();
  const py = new Deno.Command("python3", {
    args: [
      "-c",
      `import datetime, json, sys, yaml
out = []
for s in json.load(sys.stdin):
    try:
        v = yaml.safe_load("v: " + s)["v"]
        kind = "timestamp" if isinstance(v, (datetime.date, datetime.datetime)) else type(v).__name__
        out.append([kind, str(v)])
    except Exception:
        out.append(["error", ""])
print(json.dumps(out))`,
    ],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const w = py.stdin.getWriter();
  await w.write(new TextEncoder().encode(JSON.stringify(scalars)));
  await w.close();
  const expected: [string, string][] = JSON.parse(
    new TextDecoder().decode((await py.output()).stdout),
  );
  let timestamps = 0;
  for (const [i, s] of scalars.entries()) {
    let ours: [string, string];
    try {
      const v = ((await parseYaml(`v: ${s}`)) as Record<string, unknown>).v;
      ours = [
        v instanceof PyTimestamp ? "timestamp" : typeof v === "string" ? "str" : "?",
        String(v),
      ];
    } catch {
      ours = ["error", ""];
    }
    assertEquals(ours, expected[i], s);
    if (ours[0] === "timestamp") timestamps++;
  }
  assert(timestamps > 40, `${timestamps} timestamps`);
});

Deno.test("yaml: an impossible date says why, where", async () => {
  await assertRejects(
    () => parseYaml("a: 1\nday: 2024-02-30\n"),
    /timestamp 2024-02-30: day is out of range for month at line 2, column 6/,
  );
});
