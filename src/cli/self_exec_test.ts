import { assertEquals } from "../testing/assert.ts";
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
