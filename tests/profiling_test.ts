/**
 * End-to-end: resource profiling on this machine's real cgroups, whichever version it has
 * (v1 here; the same file runs on a pure cgroup v2 host, see README).
 */
import { join } from "node:path";
import { detectHierarchy } from "../profiling/job_cgroup.ts";
import { assert, assertEquals, assertIncludes } from "../src/testing/assert.ts";
import {
  cleanup,
  exists,
  LOCAL_INVENTORY,
  makePdd,
  mountSmallDisk,
  readEvents,
  ROOT,
  runner,
} from "./helpers.ts";

const HIERARCHY = detectHierarchy();

/** The dirs a base cgroup named `name` occupies: one per v1 controller, one on v2. */
function baseDirs(name: string): string[] {
  const h = HIERARCHY;
  const roots = h.version === 2 ? [h.root] : [h.cpu, h.memory, h.pids];
  return [...new Set(roots)].map((r) => join(r, name));
}

const PLAY = `- hosts: all
  gather_facts: false
  tasks:
    - name: burn one cpu
      ansible.builtin.command: /usr/bin/python3 {{ playbook_dir }}/burn.py
    - name: hold 200 MiB
      ansible.builtin.command: /usr/bin/python3 -c "b = b'x' * (200 * 2**20); import time; time.sleep(1.5)"
    - name: ten sleepers
      ansible.builtin.shell: for i in $(seq 10); do sleep 1.5 & done; wait
`;

async function withBase(fn: (base: string) => Promise<void>): Promise<void> {
  const base = `runner-test-${crypto.randomUUID().slice(0, 8)}`;
  if (HIERARCHY.version === 2) {
    // What an administrator does once: let the root's children use the three controllers.
    await Deno.writeTextFile(
      join(HIERARCHY.root, "cgroup.subtree_control"),
      "+cpu +memory +pids",
    );
  }
  for (const d of baseDirs(base)) await Deno.mkdir(d);
  try {
    await fn(base);
  } finally {
    for (const d of baseDirs(base)) await Deno.remove(d).catch(() => {});
  }
}

/** `runner run PDD -p test.yml -i IDENT --resource-profiling` in the base cgroup, plus `extra`. */
function profiledRun(pdd: string, ident: string, base: string, extra: string[] = []) {
  return runner([
    "run",
    pdd,
    "-p",
    "test.yml",
    "-i",
    ident,
    "--resource-profiling",
    "--resource-profiling-base-cgroup",
    base,
    ...extra,
  ]);
}

interface Rec {
  timestamp: number;
  task_name: string;
  task_uuid: string;
  value: number;
}

function records(text: string): Rec[] {
  assert(text.startsWith("\x1e") && text.endsWith("\n"), "RS-framed");
  return text.split("\x1e").slice(1).map((r) => {
    assert(r.endsWith("\n"));
    const rec = JSON.parse(r);
    assertEquals(Object.keys(rec), ["timestamp", "task_name", "task_uuid", "value"]);
    return rec;
  });
}

/**
 * Burns one CPU for 2 s and prints its own share of a CPU and the whole job cgroup's over that
 * time, read from the cgroup's own counter (which also counts Ansible's processes).
 */
function burner(): string {
  const h = HIERARCHY;
  const usage = h.version === 2
    ? `int(re.search(r"usage_usec (\\d+)", open("${h.root}" + path("") + "/cpu.stat").read()).group(1)) * 1000`
    : `int(open("${h.cpu}" + path("cpuacct") + "/cpuacct.usage").read())`;
  return `import json, re, time
def path(ctrl):
    for line in open("/proc/self/cgroup").read().splitlines():
        _, ctrls, p = line.split(":", 2)
        if (ctrls == "" and ctrl == "") or (ctrl and ctrl in ctrls.split(",")):
            return p
def cgroup_ns():
    return ${usage}
start, t0, c0, p0 = time.time(), time.monotonic(), cgroup_ns(), time.process_time()
while time.monotonic() - t0 < 2:
    pass
wall = time.monotonic() - t0
c1, p1 = cgroup_ns(), time.process_time()
print(json.dumps({"burner": (p1 - p0) / wall * 100, "cgroup": (c1 - c0) / 1e9 / wall * 100,
                  "start": start, "end": start + wall}))
`;
}

Deno.test(`profiling: cpu, memory and pids per task on cgroup v${HIERARCHY.version}; files exact; cgroup removed`, async () => {
  await withBase(async (base) => {
    const pdd = await makePdd({
      "inventory/hosts": LOCAL_INVENTORY,
      "project/test.yml": PLAY,
      "project/burn.py": burner(),
    });
    try {
      const t0 = Date.now() / 1000;
      const r = await profiledRun(pdd, "p1", base);
      assertEquals(r.code, 0, r.stderr);
      const dir = join(pdd, "artifacts", "p1", "profiling_data");
      const events = await readEvents(join(pdd, "artifacts", "p1"));
      const tasks = events.filter((e) => e.event === "playbook_on_task_start")
        .map((e) => ({
          name: e.event_data!.task as string,
          uuid: e.event_data!.task_uuid as string,
        }));
      const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
      const expected = tasks.flatMap((t, n) =>
        ["cpu", "memory", "pids"].map((m) => `${n}-${t.uuid}-${m}.json`)
      );
      assertEquals(names, expected.sort());
      const read = (n: number, m: string) =>
        records(Deno.readTextFileSync(join(dir, `${n}-${tasks[n].uuid}-${m}.json`)));
      for (let n = 0; n < tasks.length; n++) {
        for (const m of ["cpu", "memory", "pids"]) {
          const recs = read(n, m);
          assert(recs.length >= 3, `${n} ${m} has samples`);
          for (const rec of recs) {
            assertEquals([rec.task_name, rec.task_uuid], [tasks[n].name, tasks[n].uuid]);
            assert(rec.timestamp > t0 && rec.timestamp < Date.now() / 1000);
          }
        }
      }
      // What the poller saw against the cgroup's own counter over the burn: ±10 points, its
      // samples whose interval (0.25 s, the default) lies within the burn, averaged: a busy
      // machine takes the burner off its CPU in spells, which a median of samples would miss.
      // Here that is about 100 % (Ansible's own processes add little); on a slow emulated CPU
      // Ansible's share is larger and both readings include it.
      const burnOut = events.find((e) =>
        e.event === "runner_on_ok" && e.event_data!.task === "burn one cpu"
      )!;
      const burn = JSON.parse(String((burnOut.event_data!.res as { stdout: string }).stdout));
      assert(burn.burner > 50, `the burner got ${burn.burner}% of a CPU`);
      assert(burn.cgroup >= burn.burner - 5, `the cgroup (${burn.cgroup}%) counts the burner`);
      const during = read(0, "cpu").filter((x) =>
        x.timestamp - 0.25 >= burn.start && x.timestamp <= burn.end
      );
      assert(during.length >= 4, `${during.length} cpu samples within the burn`);
      const cpu = during.reduce((sum, x) => sum + x.value, 0) / during.length;
      assert(
        Math.abs(cpu - burn.cgroup) <= 10,
        `poller ${cpu}% vs the cgroup's ${burn.cgroup}% (burner ${burn.burner}%)`,
      );
      assert(Math.max(...read(1, "memory").map((x) => x.value)) >= 190, "200 MiB seen");
      assert(Math.max(...read(2, "pids").map((x) => x.value)) >= 10, "10 sleepers seen");
      for (const d of baseDirs(base)) {
        assert(
          !(await exists(join(d, "p1"))),
          `${d}/p1 removed`,
        );
      }
    } finally {
      await cleanup(pdd);
    }
  });
});

Deno.test("profiling: a missing base cgroup fails the job before anything runs, saying what to create", async () => {
  const pdd = await makePdd({ "inventory/hosts": LOCAL_INVENTORY, "project/test.yml": PLAY });
  try {
    const r = await profiledRun(pdd, "nobase", "runner-no-such-base");
    assertEquals(r.code, 1);
    assertIncludes(
      r.stderr,
      `base cgroup ${baseDirs("runner-no-such-base")[0]} does not exist: create it (mkdir`,
    );
    assertEquals(await Deno.readTextFile(join(pdd, "artifacts", "nobase", "status")), "error");
    const events = await readEvents(join(pdd, "artifacts", "nobase"));
    assert(!events.some((e) => e.event === "playbook_on_start"), "ansible never ran");
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("profiling: a full disk for the samples is said once, the job goes on; a stale cgroup is reused", async () => {
  await withBase(async (base) => {
    const pdd = await makePdd({
      "inventory/hosts": LOCAL_INVENTORY,
      "project/test.yml": "- hosts: all\n  gather_facts: false\n  tasks:\n    - command: sleep 3\n",
    });
    const results = join(pdd, "samples");
    await Deno.mkdir(results);
    const unmount = await mountSmallDisk(results, "12k");
    // What a runner killed outright leaves: the job's cgroup, empty.
    for (const d of baseDirs(base)) await Deno.mkdir(join(d, "full"));
    try {
      const fast = ["cpu", "memory", "pid"].flatMap((m) => [
        `--resource-profiling-${m}-poll-interval`,
        "0.05",
      ]);
      const r = await profiledRun(pdd, "full", base, [
        "--resource-profiling-results-dir",
        results,
        ...fast,
      ]);
      assertEquals(r.code, 0, r.stderr);
      const warnings = r.stderr.trim().split("\n");
      assertEquals(warnings.length, 1, r.stderr);
      assertIncludes(warnings[0], `in ${results}: No space left on device; the job goes on`);
      assertEquals(await Deno.readTextFile(join(pdd, "artifacts", "full", "status")), "successful");
      // What was written is whole: no record cut short by the full disk.
      for await (const f of Deno.readDir(results)) {
        const text = await Deno.readTextFile(join(results, f.name));
        if (text) records(text); // (a file made as the disk filled holds nothing)
      }
      for (const d of baseDirs(base)) assert(!(await exists(join(d, "full"))), "cgroup removed");
    } finally {
      await unmount();
      await cleanup(pdd);
    }
  });
});

Deno.test("profiling: worker mode brings the samples back through process", async () => {
  await withBase(async (base) => {
    const pdd = await makePdd({
      "inventory/hosts": LOCAL_INVENTORY,
      "project/test.yml": "- hosts: all\n  gather_facts: false\n  tasks:\n    - command: sleep 1\n",
    });
    const ctl = await Deno.makeTempDir();
    try {
      const main = join(ROOT, "main.ts");
      const sh = `${Deno.execPath()} run -A --no-lock ${main} transmit ${pdd} -p test.yml -i w1 ` +
        `--resource-profiling --resource-profiling-base-cgroup ${base} | ` +
        `${Deno.execPath()} run -A --no-lock ${main} worker | ` +
        `${Deno.execPath()} run -A --no-lock ${main} process ${ctl} -i w1 -q`;
      const out = await new Deno.Command("bash", {
        args: ["-o", "pipefail", "-c", sh],
        stderr: "piped",
      }).output();
      assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
      const files = [...Deno.readDirSync(join(ctl, "artifacts", "w1", "profiling_data"))].map((e) =>
        e.name
      );
      assertEquals(files.filter((f) => /^0-[0-9a-f-]+-(cpu|memory|pids)\.json$/.test(f)).length, 3);
    } finally {
      await cleanup(pdd);
      await cleanup(ctl);
    }
  });
});

Deno.test("profile: the CLI prints the table and writes the chart", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await new Deno.Command("cp", {
      args: ["-r", join(ROOT, "profiling/testdata/profiling_data"), dir],
    }).output();
    const r = await runner(["profile", dir]);
    assertEquals(r.code, 0, r.stderr);
    assertIncludes(r.stdout, "burn");
    assertIncludes(r.stdout, `chart: ${join(dir, "profiling_data", "profile.svg")}`);
    assert(
      (await Deno.readTextFile(join(dir, "profiling_data", "profile.svg"))).startsWith("<svg"),
    );
    const none = await runner(["profile", join(dir, "nope")]);
    assertEquals(none.code, 1);
  } finally {
    await cleanup(dir);
  }
});
