/** End-to-end: `worker --worker-info` inside real cgroup v1 limits, and `worker cleanup`. */
import { join } from "node:path";
import { assert, assertEquals, assertIncludes } from "../src/testing/assert.ts";
import {
  artifact,
  cleanup as rmrf,
  LOCAL_INVENTORY,
  makePdd,
  ROOT,
  runner,
  spawnRunner,
  waitForOutput,
} from "./helpers.ts";

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
    assertEquals(
      again.stdout.trim(),
      `Excluding running project ${base}/job-live from cleanup\n(changed: False)`,
    );
    const unsafe = await runner(["worker", "cleanup", "--file-pattern", "/*"]);
    assertEquals(unsafe.code, 1);
    assertIncludes(unsafe.stdout, "Refusing to continue");
  } finally {
    await rmrf(base);
  }
});

// A `run` or `worker` job writes no pid file, and its dir's mtime stops moving once it has begun:
// past the grace period, it was removed from under the job.
Deno.test("worker cleanup: leaves the dir of a job that runs past the grace period", async () => {
  const pdd = await makePdd({
    "inventory/hosts": LOCAL_INVENTORY,
    "project/wait.yml": `- hosts: all
  gather_facts: false
  tasks:
    - debug: {msg: started}
    - wait_for: {path: "{{ playbook_dir }}/go", timeout: 120}
`,
  });
  const pattern = `${pdd}*`;
  const makeOld = async () => {
    const old = Date.now() / 1000 - 3 * 3600;
    await Deno.utime(pdd, old, old);
  };
  try {
    const job = spawnRunner(["run", pdd, "-p", "wait.yml", "-i", "long"]);
    const reader = await waitForOutput(job, "started");
    try {
      await makeOld();
      const r = await runner(["worker", "cleanup", "--file-pattern", pattern]);
      assertEquals(r.code, 0, r.stderr);
      assertEquals(
        r.stdout.trim(),
        `Excluding running project ${pdd} from cleanup\n(changed: False)`,
      );
    } finally {
      await Deno.writeTextFile(join(pdd, "project", "go"), "");
      await reader.cancel();
    }
    assertEquals((await job.status).code, 0);
    assertEquals(await artifact(pdd, "long", "status"), "successful");
    // Ended, it goes like any other.
    await makeOld();
    const r = await runner(["worker", "cleanup", "--file-pattern", pattern]);
    assertIncludes(r.stdout, "Removed 1 private data dir(s)");
    assert(!(await Deno.stat(pdd).then(() => true, () => false)));
  } finally {
    await rmrf(pdd);
  }
});

// ansible-runner stops at the first dir it cannot remove, with a traceback; runner removes the
// others, names that one, and exits 1.
Deno.test("worker cleanup: a dir that cannot be removed is named, the others go, exit 1", async () => {
  const base = await Deno.makeTempDir({ prefix: "runner_cleanup_" });
  const stuck = join(base, "job-a", "immutable");
  try {
    const old = Date.now() / 1000 - 3 * 3600;
    for (const d of ["job-a", "job-b"]) await Deno.mkdir(join(base, d));
    await Deno.writeTextFile(stuck, "");
    // Even root cannot unlink an immutable file (ext4, this machine's /tmp).
    const chattr = await new Deno.Command("chattr", { args: ["+i", stuck] }).output();
    assert(chattr.success, new TextDecoder().decode(chattr.stderr));
    for (const d of ["job-a", "job-b"]) await Deno.utime(join(base, d), old, old);
    const r = await runner(["worker", "cleanup", "--file-pattern", `${base}/job-*`]);
    assertEquals(r.code, 1);
    assertIncludes(r.stderr, `runner: cannot remove ${base}/job-a: Operation not permitted`);
    assertEquals(
      r.stdout,
      `Removed 1 private data dir(s) in pattern ${base}/job-*\n(changed: True)\n`,
    );
    assertEquals([...Deno.readDirSync(base)].map((e) => e.name), ["job-a"]);
  } finally {
    await new Deno.Command("chattr", { args: ["-i", stuck] }).output().catch(() => {});
    await rmrf(base);
  }
});
