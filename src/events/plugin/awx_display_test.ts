/**
 * The plugin's result-size rule, checked in Python against the rule it stands for: a result is
 * dropped when len(str(res)) > MAX_EVENT_RES (ansible-runner's rule), whatever the values are.
 */
import { assertEquals } from "../../testing/assert.ts";

const PLUGIN = new URL("./awx_display.py", import.meta.url).pathname;

const CHECK = `
import importlib.util, random, sys
spec = importlib.util.spec_from_file_location("awx_display", sys.argv[1])
plugin = importlib.util.module_from_spec(spec)
spec.loader.exec_module(plugin)
longer = plugin._longer_than
from ansible.utils.unsafe_proxy import AnsibleUnsafeText, wrap_var

class Unsafe(str): pass
class ShortRepr(str):
    def __repr__(self): return "r"
class Mapping(dict): pass
class ShortStr(dict):
    def __str__(self): return "s"
class ShortList(list):
    def __repr__(self): return "l"
class Liar(dict):
    def __len__(self): return 10 ** 9
    def keys(self): return ["k" * 10 ** 6]
    def values(self): return []
class ListLiar(list):
    def __len__(self): return 10 ** 9
    def __iter__(self): return iter(["x" * 10 ** 6])

def value(depth=0):
    k = random.random()
    if depth > 3 or k < 0.3:
        return random.choice(["", "a", "e\\u00e9\\n'\\"\\\\", "x" * random.randrange(60), Unsafe("uu"), AnsibleUnsafeText("un'safe"),
                              ShortRepr("a long string with a short repr"), 1, -2.5, None, True,
                              b"by\\x00", object(), ShortList([1, 2, 3])])
    if k < 0.5:
        return [value(depth + 1) for _ in range(random.randrange(5))]
    if k < 0.6:
        return tuple(value(depth + 1) for _ in range(random.randrange(4)))
    if k < 0.8:
        return {random.choice([str(random.randrange(99)), 7, None]): value(depth + 1) for _ in range(random.randrange(5))}
    return Mapping(a=value(depth + 1)) if k < 0.9 else ShortStr(b=value(depth + 1))

random.seed(1)
wrong = []
cases = [value() for _ in range(20000)]
loop = [1]
loop.append(loop)
shared = ["s" * 20]
cases += [loop, "plain", Unsafe("x" * 10), {"k": loop}, wrap_var({"a": ["b" * 30, {"c": "d"}]}),
          Liar(a=1), ListLiar([1, 2]), [Liar(b="c"), ListLiar()], [shared, shared]]
for v in cases:
    n = len(str(v))
    for limit in (0, 1, n // 2, n - 1, n, n + 1):
        if longer(v, limit) != (n > limit):
            wrong.append((repr(v)[:80], limit, n))
lines = [AnsibleUnsafeText("output line number %06d of the large task" % i) for i in range(200000)]
res = wrap_var({"stdout": "\\n".join(lines), "stdout_lines": lines, "rc": 0})
big = longer(res, 700000)
whole = len(str(res)) > 700000
# A huge result is judged without building its text: a value whose repr fails is never printed.
class Unprintable(object):
    def __repr__(self): raise AssertionError("the whole text was built")
early = longer({"stdout_lines": [Unprintable()] + lines}, 700000)
print(len(cases), wrong[:5], big, whole, early)
`;

Deno.test("plugin: a result is dropped exactly when len(str(res)) > MAX_EVENT_RES", async () => {
  const out = await new Deno.Command("/usr/bin/python3", {
    args: ["-c", CHECK, PLUGIN],
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
  assertEquals(text, "20009 [] True True True");
});
