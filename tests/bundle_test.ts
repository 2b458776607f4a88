/**
 * The single-file build: `deno bundle` output, copied to a directory outside the repository,
 * runs the demo job with nothing from the source tree (the callback plugin is embedded).
 */
import { join } from "node:path";
import { assertEquals, assertIncludes } from "../src/testing/assert.ts";
import { artifact, buildBundle, cleanup, readEvents, ROOT, runner } from "./helpers.ts";

Deno.test("bundle: the bundled runner runs the demo from a directory outside the repo", async () => {
  const out = await Deno.makeTempDir({ prefix: "runner_bundle_" });
  const elsewhere = await Deno.makeTempDir({ prefix: "runner_elsewhere_" });
  try {
    await buildBundle(join(out, "runner.js"));
    await Deno.copyFile(join(out, "runner.js"), join(elsewhere, "runner.js"));
    await new Deno.Command("cp", { args: ["-r", join(ROOT, "demo"), join(elsewhere, "pdd")] })
      .output();
    await Deno.remove(join(elsewhere, "pdd", "artifacts"), { recursive: true }).catch(() => {});

    const entry = join(elsewhere, "runner.js");
    const v = await runner(["--version"], { entry, cwd: elsewhere });
    assertEquals(v.code, 0);
    const r = await runner(["run", "pdd", "-p", "test.yml", "-i", "b"], { entry, cwd: elsewhere });
    assertEquals(r.code, 0, r.stderr);
    assertIncludes(r.stdout, "hello from runner");
    const pdd = join(elsewhere, "pdd");
    assertEquals(await artifact(pdd, "b", "status"), "successful");
    const events = await readEvents(join(pdd, "artifacts", "b"));
    assertEquals(events.at(-1)!.event, "playbook_on_stats");
  } finally {
    await cleanup(out);
    await cleanup(elsewhere);
  }
});
