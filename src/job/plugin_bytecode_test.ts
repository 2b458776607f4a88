import { assert, assertEquals } from "../testing/assert.ts";
import { join } from "../runtime/path.ts";
import pluginSource from "../events/plugin/awx_display.py" with { type: "text" };
import {
  adoptBytecode,
  bytecodeCacheDir,
  compileBytecode,
  interpreterOf,
  pythonShebang,
} from "./plugin_bytecode.ts";

/** Runs `fn` in a fresh temporary dir, removed afterwards. */
async function inTempDir(fn: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = Deno.makeTempDirSync({ prefix: "runner_pyc_" });
  try {
    await fn(tmp);
  } finally {
    Deno.removeSync(tmp, { recursive: true });
  }
}

Deno.test("pythonShebang: Python interpreters, direct or through env, with options", () => {
  assertEquals(pythonShebang("#!/usr/bin/python3\nimport x"), ["/usr/bin/python3"]);
  assertEquals(pythonShebang("#! /usr/bin/python3.11 -s\n"), ["/usr/bin/python3.11", "-s"]);
  assertEquals(pythonShebang("#!/usr/bin/env python3\n"), ["/usr/bin/env", "python3"]);
  assertEquals(pythonShebang("#!/usr/bin/env -S python3 -E\n"), [
    "/usr/bin/env",
    "-S",
    "python3",
    "-E",
  ]);
  assertEquals(pythonShebang("#!/bin/bash\n"), null);
  assertEquals(pythonShebang("#!/usr/bin/env bash\n"), null);
  assertEquals(pythonShebang("#!python3\n"), null); // not a path the kernel would run
  assertEquals(pythonShebang("\x7fELF\x02\x01"), null);
  assertEquals(pythonShebang(""), null);
});

Deno.test("bytecodeCacheDir: XDG_CACHE_HOME if absolute, else ~/.cache, one dir per interpreter", () => {
  const py = ["/usr/bin/env", "python3"];
  assertEquals(
    bytecodeCacheDir({ XDG_CACHE_HOME: "/c", HOME: "/h" }, py),
    "/c/runner/callback/%2Fusr%2Fbin%2Fenv%20python3",
  );
  assertEquals(
    bytecodeCacheDir({ XDG_CACHE_HOME: "rel", HOME: "/h" }, ["/usr/bin/python3"]),
    "/h/.cache/runner/callback/%2Fusr%2Fbin%2Fpython3",
  );
  assertEquals(bytecodeCacheDir({}, py), null);
  assertEquals(bytecodeCacheDir({ HOME: "relative" }, py), null);
});

Deno.test("interpreterOf reads the #! line of an executable", () => {
  assertEquals(interpreterOf("/usr/bin/ansible-playbook"), ["/usr/bin/python3"]);
  assertEquals(interpreterOf("/bin/sh"), null); // a binary
  assertEquals(interpreterOf("/nonexistent/program"), null);
});

Deno.test("plugin bytecode: compiled once into the cache, copied beside a job's plugin, used by Python", () =>
  inTempDir(async (tmp) => {
    const cache = join(tmp, "cache", "py");
    const job = join(tmp, "job");
    Deno.mkdirSync(job);
    Deno.writeTextFileSync(join(job, "awx_display.py"), pluginSource);
    assertEquals(adoptBytecode(cache, job, pluginSource), false); // nothing cached yet

    const logs: string[] = [];
    await compileBytecode(
      cache,
      pluginSource,
      ["/usr/bin/python3"],
      undefined,
      (m) => logs.push(m),
    );
    assert(logs[0].startsWith("callback bytecode compiled"), logs.join("\n"));
    for (const dir of [join(tmp, "cache"), cache, join(cache, "__pycache__")]) {
      assertEquals(Deno.statSync(dir).mode! & 0o777, 0o700, dir);
    }
    const pycs = [...Deno.readDirSync(join(cache, "__pycache__"))].map((e) => e.name);
    assertEquals(pycs.length, 1);
    assertEquals(Deno.statSync(join(cache, "__pycache__", pycs[0])).mode! & 0o777, 0o600);

    assertEquals(adoptBytecode(cache, job, pluginSource), true);
    // Python takes the copy as the plugin's code without compiling the source: compiling is
    // made to fail here, and reading the code still works.
    const check = `
import importlib._bootstrap_external as ext, importlib.util, sys
def refuse(*a, **k): raise SystemExit("the source was compiled")
ext.SourceLoader.source_to_code = refuse
spec = importlib.util.spec_from_file_location("awx_display", sys.argv[1])
spec.loader.get_code("awx_display")
print("bytecode used")
`;
    const out = await new Deno.Command("/usr/bin/python3", {
      args: ["-c", check, join(job, "awx_display.py")],
    }).output();
    assertEquals(new TextDecoder().decode(out.stdout).trim(), "bytecode used");

    // Another source (a newer runner) is not given the old bytecode; Python would refuse it too.
    const other = join(tmp, "other");
    Deno.mkdirSync(other);
    assertEquals(adoptBytecode(cache, other, pluginSource + "\n# changed\n"), false);
  }));

Deno.test("plugin bytecode: a file others may write, or that another user owns, is not taken", () =>
  inTempDir(async (tmp) => {
    const cache = join(tmp, "cache");
    await compileBytecode(cache, pluginSource, ["/usr/bin/python3"], undefined, () => {});
    const [pyc] = [...Deno.readDirSync(join(cache, "__pycache__"))].map((e) =>
      join(cache, "__pycache__", e.name)
    );
    const attempt = (name: string) => {
      Deno.mkdirSync(join(tmp, name));
      return adoptBytecode(cache, join(tmp, name), pluginSource);
    };
    assertEquals(attempt("ok"), true);
    Deno.chmodSync(pyc, 0o620);
    assertEquals(attempt("group-writable"), false);
    Deno.chmodSync(pyc, 0o602);
    assertEquals(attempt("world-writable"), false);
    Deno.chmodSync(pyc, 0o600);
    if (Deno.uid() === 0) { // only root can give a file away
      Deno.chownSync(pyc, 65534, null);
      assertEquals(attempt("foreign"), false);
    }
  }));

Deno.test("plugin bytecode: an unusable cache or interpreter only logs", () =>
  inTempDir(async (tmp) => {
    const file = join(tmp, "file");
    Deno.writeTextFileSync(file, "");
    const logs: string[] = [];
    const compile = (dir: string, source: string, python: string) =>
      compileBytecode(dir, source, [python], undefined, (m) => logs.push(m));
    await compile(join(file, "cache"), "x = 1\n", "/usr/bin/python3"); // not a dir
    await compile(join(tmp, "c"), "x = 1\n", join(tmp, "no-python"));
    await compile(join(tmp, "d"), "x = (\n", "/usr/bin/python3"); // a syntax error
    assertEquals(logs.length, 3);
    for (const l of logs) assert(l.startsWith("callback bytecode not c"), l);
    assertEquals(adoptBytecode(join(file, "cache"), tmp, "x = 1\n"), false);
  }));

Deno.test("plugin bytecode: the compile gets the job's PATH and nothing else of its environment", () =>
  inTempDir(async (tmp) => {
    // A stand-in interpreter that shows its environment and fails, so the log carries it.
    const python = join(tmp, "python3");
    Deno.writeTextFileSync(python, "#!/bin/sh\nenv >&2\nexit 1\n", { mode: 0o755 });
    const logs: string[] = [];
    await compileBytecode(
      join(tmp, "c"),
      "x = 1\n",
      [python],
      "/opt/x:/usr/bin:/bin",
      (m) => logs.push(m),
    );
    const vars = logs[0].slice(logs[0].indexOf("): ") + 3).split("\n").map((l) => l.split("=")[0])
      .filter((k) => !["PWD", "SHLVL", "_"].includes(k) // what sh sets itself
      );
    assertEquals(vars, ["PATH"], logs[0]);
    assert(logs[0].includes("PATH=/opt/x:/usr/bin:/bin"), logs[0]);
  }));
