import { assertEquals } from "../testing/assert.ts";
import { factCacheNames, factsFromCacheText } from "./fact_cache.ts";

Deno.test("fact cache: a host's file in either layout, the newest schema first", () => {
  assertEquals(factCacheNames(["web1", "s1_web1", "s2_web1", "s1_web10", "db"], "web1"), [
    "s2_web1",
    "s1_web1",
    "web1",
  ]);
  assertEquals(factCacheNames(["web1"], "web1"), ["web1"]);
  assertEquals(factCacheNames(["s1_db"], "web1"), []);
});

Deno.test("fact cache: ansible-core 2.14's plain facts, 2.19's payload with tagged values", () => {
  assertEquals(factsFromCacheText('{"ansible_hostname": "vm", "n": 1}'), {
    ansible_hostname: "vm",
    n: 1,
  });
  // As ansible-core 2.19.11 wrote a set_fact's cacheable facts (tags shortened).
  const origin = { path: "/p/test.yml", line_num: 8, col_num: 12, __ansible_type: "Origin" };
  const payload = {
    a: { value: "x", tags: [origin], __ansible_type: "_AnsibleTaggedStr" },
    d: {
      value: [
        { value: 1, tags: [origin], __ansible_type: "_AnsibleTaggedInt" },
        { value: "two", tags: [origin], __ansible_type: "_AnsibleTaggedStr" },
      ],
      tags: [origin],
      __ansible_type: "_AnsibleTaggedList",
    },
    ansible_hostname: "vm",
    nested: { k: { value: "v", tags: [], __ansible_type: "_AnsibleTaggedStr" } },
  };
  assertEquals(factsFromCacheText(JSON.stringify({ __payload__: JSON.stringify(payload) })), {
    a: "x",
    d: [1, "two"],
    ansible_hostname: "vm",
    nested: { k: "v" },
  });
  assertEquals(factsFromCacheText("[1]"), null);
});
