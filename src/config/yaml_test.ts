import { assertEquals, assertRejects } from "../testing/assert.ts";
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
