import { assert, assertEquals } from "../testing/assert.ts";
import { selfCommand, V8_FLAGS } from "./self_exec.ts";

Deno.test("self exec: compiled binary runs itself; deno run re-runs the main module", () => {
  assertEquals(
    selfCommand(["run", "x"], {
      standalone: true,
      execPath: "/opt/runner",
      mainModule: "file:///b/main.ts",
    }),
    ["/opt/runner", "run", "x"],
  );
  assertEquals(
    selfCommand(["run"], {
      standalone: false,
      execPath: "/usr/bin/deno",
      mainModule: "file:///r/main.ts",
    }),
    ["/usr/bin/deno", "run", "-A", V8_FLAGS, "file:///r/main.ts", "run"],
  );
});

Deno.test("self exec: deno.json's tasks run runner with the same V8 flags", async () => {
  const config = JSON.parse(
    await Deno.readTextFile(new URL("../../deno.json", import.meta.url)),
  );
  for (const task of ["run", "demo", "compile"]) {
    const words = String(config.tasks[task]).split(" ");
    assertEquals(words.filter((w) => w.startsWith("--v8-flags")), [V8_FLAGS], task);
  }
});

Deno.test("self exec: the binary is compiled from the bundle the bundle task builds", async () => {
  // The compiled binary caches V8 code only for modules loaded at startup: one bundled module
  // is cached whole, where main.ts's on-demand imports would be compiled on every run.
  const { tasks } = JSON.parse(
    await Deno.readTextFile(new URL("../../deno.json", import.meta.url)),
  );
  const bundleWords = String(tasks.bundle).split(" ");
  const bundle = bundleWords[bundleWords.indexOf("--output") + 1];
  const compile = String(tasks.compile);
  assert(compile.startsWith("deno task bundle && deno compile "), compile);
  assertEquals(compile.split(" ").at(-1), bundle);
});
