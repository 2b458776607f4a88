import { assertEquals } from "../testing/assert.ts";
import { pythonCoercedCtype } from "./locale.ts";
import { localeAvailable } from "../exec/libc.ts";

Deno.test("locale: the rule, with a system that has only C.UTF-8 and en_GB.UTF-8", () => {
  const has = (l: string) => l === "C.UTF-8" || l === "en_GB.UTF-8";
  const cases: [Record<string, string>, string | null][] = [
    [{}, "C.UTF-8"],
    [{ LANG: "" }, "C.UTF-8"],
    [{ LANG: "POSIX" }, "C.UTF-8"],
    [{ LANG: "en_GB.UTF-8" }, null],
    [{ LANG: "de_DE.UTF-8" }, "C.UTF-8"], // not installed: Python's setlocale falls back to C
    [{ LANG: "en_GB.UTF-8", LC_CTYPE: "C" }, "C.UTF-8"],
    [{ LANG: "C", LC_CTYPE: "en_GB.UTF-8" }, null],
    [{ LC_ALL: "C" }, null],
    [{ LC_ALL: "", LANG: "C" }, "C.UTF-8"],
    [{ PYTHONCOERCECLOCALE: "0" }, null],
    [{ PYTHONCOERCECLOCALE: "warn" }, "C.UTF-8"],
  ];
  for (const [env, want] of cases) {
    assertEquals(pythonCoercedCtype(env, has), want, JSON.stringify(env));
  }
  assertEquals(pythonCoercedCtype({}, (l) => l === "UTF-8"), "UTF-8");
  // A target itself is taken as it is, without asking.
  assertEquals(pythonCoercedCtype({ LANG: "C.UTF-8" }, () => false), null);
  assertEquals(pythonCoercedCtype({}, () => false), null);
});

// What ansible-runner's jobs inherit is what Python puts in its own environment at start.
Deno.test("locale: the same LC_CTYPE as Python's own coercion, on this system", async () => {
  const envs: Record<string, string>[] = [
    {},
    { LANG: "C" },
    { LANG: "C.UTF-8" },
    { LANG: "xx_YY.UTF-8" },
    { LC_CTYPE: "POSIX", LANG: "C.UTF-8" },
    { LC_ALL: "C" },
    { PYTHONCOERCECLOCALE: "0" },
  ];
  for (const env of envs) {
    const out = await new Deno.Command("python3", {
      args: ["-c", "import os; print(os.environ.get('LC_CTYPE', '-'))"],
      env: { PATH: "/usr/bin:/bin", ...env },
      clearEnv: true,
    }).output();
    const python = new TextDecoder().decode(out.stdout).trim();
    assertEquals(pythonCoercedCtype(env, localeAvailable) ?? "-", python, JSON.stringify(env));
  }
});
