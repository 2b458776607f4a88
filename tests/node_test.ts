/** End-to-end: `worker --worker-info` inside real cgroup v1 limits, and `worker cleanup`. */
import { join } from "node:path";
import { assert, assertEquals, assertIncludes } from "../src/testing/assert.ts";
import { cleanup as rmrf, ROOT, runner } from "./helpers.ts";

Deno.test("worker-info: reports the job's real limits inside a cgroup with cpu quota and memory limit", async () => {
  const name = `runner_test_${crypto.randomUUID().slice(0, 8)}`;
  const cpu = `/sys/fs/cgroup/cpu/${name}`;
  const mem = `/sys/fs/cgroup/memory/${name}`;
  await Deno.mkdir(cpu);
  await Deno.mkdir(mem);
  try {
    await Deno.writeTextFile(join(cpu, "cpu.cfs_quota_us"), "50000");
    await Deno.writeTextFile(join(mem, "memory.limit_in_bytes"), String(300 * 2 ** 20));
    const script = `echo $$ > ${cpu}/cgroup.procs && echo $$ > ${mem}/cgroup.procs && ` +
      `exec ${Deno.execPath()} run -A --no-lock ${join(ROOT, "main.ts")} worker --worker-info`;
    const out = await new Deno.Command("sh", { args: ["-c", script], stdout: "piped" }).output();
    const text = new TextDecoder().decode(out.stdout).trim();
    assertEquals(out.code, 0);
    assert(
      /^\{cpu_count: 1, errors: \[\], mem_in_bytes: 314572800, runner_version: [\d.]+, uuid: [0-9a-f-]{36}\}$/
        .test(text),
      text,
    );
    // Outside the cgroup the host's figures come back, and the uuid is stable.
    const host = await runner(["worker", "--worker-info"]);
    assertEquals(host.stdout.trim().split("uuid: ")[1], text.split("uuid: ")[1]);
    const home = Deno.env.get("HOME") ?? "/root";
    assertEquals((await Deno.stat(join(home, ".ansible_runner_uuid"))).mode! & 0o777, 0o600);
  } finally {
    for (let i = 0; i < 50; i++) {
      try {
        await Deno.remove(cpu);
        await Deno.remove(mem);
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }
});

Deno.test("worker cleanup: removes old dirs, keeps recent, excluded and running ones", async () => {
  const base = await Deno.makeTempDir({ prefix: "runner_cleanup_" });
  try {
    const old = Date.now() / 1000 - 3 * 3600;
    for (const d of ["job-old", "job-new", "job-live", "job-keep"]) await Deno.mkdir(join(base, d));
    await Deno.writeTextFile(join(base, "job-live", "pid"), String(Deno.pid));
    for (const d of ["job-old", "job-live", "job-keep"]) await Deno.utime(join(base, d), old, old);
    const r = await runner([
      "worker",
      "cleanup",
      "--file-pattern",
      `${base}/job-*`,
      "--exclude-strings",
      "keep",
    ]);
    assertEquals(r.code, 0, r.stderr);
    assertIncludes(r.stdout, `Removed 1 private data dir(s) in pattern ${base}/job-*`);
    assertIncludes(r.stdout, "(changed: True)");
    const left = [...Deno.readDirSync(base)].map((e) => e.name).sort();
    assertEquals(left, ["job-keep", "job-live", "job-new"]);
    const again = await runner([
      "worker",
      "cleanup",
      "--file-pattern",
      `${base}/job-*`,
      "--exclude-strings",
      "keep",
    ]);
    assertEquals(again.stdout.trim(), "(changed: False)");
    const unsafe = await runner(["worker", "cleanup", "--file-pattern", "/*"]);
    assertEquals(unsafe.code, 1);
    assertIncludes(unsafe.stdout, "Refusing to continue");
  } finally {
    await rmrf(base);
  }
});
