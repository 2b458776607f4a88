import { assertEquals } from "../testing/assert.ts";
import { PythonJson, pythonJson, pythonStringBody } from "./python_json.ts";

const SAMPLES: unknown[] = [
  { uuid: "a", counter: 1, stdout: "", event_data: {} },
  { stdout: 'quote " and \\ backslash, colon: comma,', list: [1, -2, 0.5, [], {}, null, true] },
  { text: "café ü — 😀 \u001b[0;32mok\u001b[0m\r\n\ttab \u0000 \u007f", "clé": "välue" },
  { nested: { a: [{ b: "x, y: z" }, "}{]["], n: 12345678901234 } },
];

Deno.test("python json: the same text as Python's json.dumps on the same data", async () => {
  const compact = SAMPLES.map((s) => JSON.stringify(s));
  const py = await new Deno.Command("python3", {
    args: ["-c", "import json,sys\nfor l in sys.stdin: print(json.dumps(json.loads(l)))"],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const w = py.stdin.getWriter();
  await w.write(new TextEncoder().encode(compact.join("\n") + "\n"));
  await w.close();
  const expected = new TextDecoder().decode((await py.output()).stdout).trimEnd().split("\n");
  assertEquals(compact.map((j) => pythonJson(j)), expected);
});

Deno.test("python json: ascii false matches json.dumps(ensure_ascii=False)", async () => {
  const compact = SAMPLES.map((s) => JSON.stringify(s));
  const out = await new Deno.Command("python3", {
    args: [
      "-c",
      "import json,sys\nfor l in sys.argv[1:]: print(json.dumps(json.loads(l), ensure_ascii=False))",
      ...compact,
    ],
  }).output();
  const expected = new TextDecoder().decode(out.stdout).trimEnd().split("\n");
  assertEquals(compact.map((j) => pythonJson(j, { ascii: false })), expected);
});

Deno.test("python json: pieces cut anywhere give the same text as the whole", () => {
  const whole = JSON.stringify(SAMPLES[2]);
  for (let cut = 0; cut <= whole.length; cut++) {
    const f = new PythonJson();
    assertEquals(
      f.push(whole.slice(0, cut)) + f.push(whole.slice(cut)),
      pythonJson(whole),
      `${cut}`,
    );
  }
});

Deno.test("python json: a string's body alone, as in Python's json.dumps of the string", async () => {
  const texts = ["plain ascii, with: separators", 'café 😀 \u007f tab\t "q" \\ \u2028', ""];
  const out = await new Deno.Command("python3", {
    args: [
      "-c",
      "import json,sys\nfor t in json.loads(sys.argv[1]): print(json.dumps(t)[1:-1])",
      JSON.stringify(texts),
    ],
  }).output();
  const expected = new TextDecoder().decode(out.stdout).split("\n").slice(0, texts.length);
  assertEquals(texts.map((t) => pythonStringBody(JSON.stringify(t).slice(1, -1))), expected);
  assertEquals(pythonStringBody(JSON.stringify("é").slice(1, -1), { ascii: false }), "é");
});
