/** End-to-end: directory isolation and the bubblewrap sandbox, with real ansible-playbook. */
import { join } from "node:path";
import { assert, assertEquals, assertIncludes } from "../src/testing/assert.ts";
import {
  artifact,
  cleanup,
  exists,
  jobMarker,
  makePdd,
  makeSshKey,
  playbookPdd,
  processesWithEnv,
  readEvents,
  runner,
  spawnRunner,
  waitForOutput,
} from "./helpers.ts";

Deno.test("directory isolation: 10 concurrent jobs on one private data dir, each in its own copy", async () => {
  const pdd = await playbookPdd(`- hosts: all
  gather_facts: false
  tasks:
    - ansible.builtin.shell: test ! -e mine && echo "{{ n }}" > mine && sleep 1 && cat mine
      register: o
    - ansible.builtin.assert:
        that: o.stdout == n | string
`);
  const base = await Deno.makeTempDir({ prefix: "runner_di_base_" });
  try {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, n) =>
        runner([
          "run",
          pdd,
          "-p",
          "test.yml",
          "-i",
          `di-${n}`,
          "-q",
          "--cmdline",
          `-e n=${n}`,
          "--directory-isolation-base-path",
          base,
        ])),
    );
    const cwds = new Set<string>();
    for (const [n, r] of results.entries()) {
      assertEquals(r.code, 0, `job ${n}: ${r.stderr}`);
      assertEquals(await artifact(pdd, `di-${n}`, "status"), "successful");
      const cwd = JSON.parse(await artifact(pdd, `di-${n}`, "command")).cwd as string;
      assert(cwd.startsWith(base + "/runner_di_"), cwd);
      cwds.add(cwd);
    }
    assertEquals(cwds.size, 10, "every job had its own copy");
    assertEquals([...Deno.readDirSync(base)], [], "copies removed afterwards");
    assertEquals([...Deno.readDirSync(join(pdd, "project"))].map((e) => e.name), ["test.yml"]);
  } finally {
    await cleanup(pdd);
    await cleanup(base);
  }
});

const PROBE = `- hosts: all
  gather_facts: false
  tasks:
    - name: probe
      ansible.builtin.shell: |
        echo "hidden=$(ls -A {{ hidden }} | wc -l)"
        cat {{ hidden }}/secret.txt 2>/dev/null || echo "secret=unreadable"
        touch {{ ro }}/new 2>/dev/null && echo ro=written || echo ro=refused
        ls {{ other }} >/dev/null 2>&1 && echo other=visible || echo other=invisible
        touch {{ show }}/shown && echo show=written
        touch {{ playbook_dir }}/../pdd-write && echo pdd=written
        echo "pid=$$"
      register: probe
    - ansible.builtin.debug: var=probe.stdout_lines
`;

Deno.test("bwrap: hidden paths are empty, ro paths refuse writes, other jobs are invisible", async () => {
  const outside = await Deno.makeTempDir({ prefix: "runner_iso_" });
  const dirs = Object.fromEntries(
    ["hidden", "ro", "other", "show"].map((d) => [d, join(outside, d)]),
  );
  for (const d of Object.values(dirs)) await Deno.mkdir(d);
  await Deno.writeTextFile(join(dirs.hidden, "secret.txt"), "top secret");
  const vars = Object.entries(dirs).map(([k, v]) => `${k}=${v}`).join(" ");
  const pdd = await playbookPdd(PROBE);
  try {
    const r = await runner([
      "run",
      pdd,
      "-p",
      "test.yml",
      "-i",
      "bw",
      "--cmdline",
      `-e '${vars}'`,
      "--process-isolation",
      "--process-isolation-hide-paths",
      dirs.hidden,
      "--process-isolation-ro-paths",
      dirs.ro,
      "--process-isolation-show-paths",
      dirs.show,
    ]);
    assertEquals(r.code, 0, r.stdout + r.stderr);
    for (
      const expect of [
        "hidden=0",
        "secret=unreadable",
        "ro=refused",
        "other=invisible",
        "show=written",
        "pdd=written",
      ]
    ) assertIncludes(r.stdout, expect);
    const pid = Number(/"pid=(\d+)"/.exec(r.stdout)?.[1]);
    assert(pid > 0 && pid < 100, `own pid namespace (pid ${pid})`);
    assert((await Deno.stat(join(dirs.show, "shown"))).isFile);
    assert(!(await exists(join(dirs.ro, "new"))));
    assertEquals(await Deno.readTextFile(join(dirs.hidden, "secret.txt")), "top secret");
    // The command artifact records the sandbox's command line, as ansible-runner does.
    const shown = JSON.parse(await artifact(pdd, "bw", "command"));
    assertEquals(shown.command[0], "bwrap");
    assertEquals(shown.command.at(-1), "test.yml");
    assert(shown.command.includes("ansible-playbook"), "the program by its given name");
    assertEquals(shown.cwd, join(pdd, "project"));
  } finally {
    await cleanup(pdd);
    await cleanup(outside);
  }
});

Deno.test("isolation: the same playbook gives the same event types, status and rc in every mode", async () => {
  const play =
    "- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: msg=hi\n    - command: /bin/false\n";
  const base = await Deno.makeTempDir({ prefix: "runner_di_base_" });
  const modes: Record<string, string[]> = {
    plain: [],
    bwrap: ["--process-isolation"],
    "directory isolation": ["--directory-isolation-base-path", base],
    "bwrap + directory isolation": ["--process-isolation", "--directory-isolation-base-path", base],
  };
  const seen: Record<string, unknown> = {};
  const dirs: string[] = [];
  try {
    for (const [mode, flags] of Object.entries(modes)) {
      const pdd = await playbookPdd(play);
      dirs.push(pdd);
      const r = await runner(["run", pdd, "-p", "test.yml", "-i", "x", "-q", ...flags]);
      seen[mode] = {
        code: r.code,
        status: await artifact(pdd, "x", "status"),
        rc: await artifact(pdd, "x", "rc"),
        events: (await readEvents(join(pdd, "artifacts", "x"))).map((e) => e.event),
      };
    }
    for (const mode of Object.keys(modes)) assertEquals(seen[mode], seen.plain, mode);
    assertEquals((seen.plain as { code: number }).code, 2);
  } finally {
    for (const d of dirs) await cleanup(d);
    await cleanup(base);
  }
});

const STUCK =
  "- hosts: all\n  gather_facts: false\n  tasks:\n    - shell: (sleep 307 &) ; sleep 308\n";

Deno.test("bwrap: a timeout leaves no process behind", async () => {
  const pdd = await playbookPdd(STUCK, {
    "env/settings": "job_timeout: 2\nprocess_isolation: true\n",
  });
  try {
    const r = await runner(["run", pdd, "-p", "test.yml", "-i", "t", "-q"]);
    assertEquals(r.code, 254);
    assertEquals(await artifact(pdd, "t", "status"), "timeout");
    assertEquals(processesWithEnv("RUNNER_JOB_MARKER", await jobMarker(pdd, "t")), []);
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("bwrap: cancel leaves no process behind", async () => {
  const pdd = await playbookPdd(STUCK);
  try {
    const child = spawnRunner(["run", pdd, "-p", "test.yml", "-i", "c", "--process-isolation"]);
    const reader = await waitForOutput(child, "TASK [shell]");
    await new Promise((r) => setTimeout(r, 700));
    const marker = await jobMarker(pdd, "c");
    assert(processesWithEnv("RUNNER_JOB_MARKER", marker).length > 0);
    child.kill("SIGTERM");
    assertEquals((await child.status).code, 254);
    await reader.cancel();
    await child.stderr.cancel();
    assertEquals(processesWithEnv("RUNNER_JOB_MARKER", marker), []);
    assertEquals(await artifact(pdd, "c", "status"), "canceled");
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("bwrap: the job's ssh-agent (env/ssh_key) is reachable inside the sandbox", async () => {
  const pdd = await makePdd({
    "env/ssh_key": await makeSshKey("sandboxed-key"),
    "env/cmdline": "-l",
  });
  try {
    const r = await runner(["run", pdd, "-b", "ssh-add", "-i", "k", "--process-isolation"]);
    assertEquals(r.code, 0, r.stdout + r.stderr);
    assertIncludes(r.stdout, "sandboxed-key (ED25519)");
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("bwrap: a missing executable is a clear error; a missing show path a warning", async () => {
  const pdd = await playbookPdd(STUCK);
  try {
    const exe = await runner([
      "run",
      pdd,
      "-p",
      "test.yml",
      "--process-isolation",
      "--process-isolation-executable",
      "no-such-bwrap",
    ]);
    assertEquals(exe.code, 1);
    assertIncludes(exe.stderr, "process_isolation_executable: 'no-such-bwrap' is not installed");
    const quick = await playbookPdd("- hosts: all\n  gather_facts: false\n  tasks:\n    - ping:\n");
    const show = await runner([
      "run",
      quick,
      "-p",
      "test.yml",
      "--process-isolation",
      "--process-isolation-show-paths",
      "/no/such/dir",
    ]).finally(() => cleanup(quick));
    // As ansible-runner leaves it out: the job runs without it.
    assertEquals(show.code, 0, show.stderr);
    assertIncludes(
      show.stderr,
      "process_isolation_show_paths: /no/such/dir does not exist on this node: left out",
    );
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("bwrap: the sandboxed job dies with the runner, even when runner is SIGKILLed", async () => {
  const pdd = await playbookPdd(STUCK);
  const tmpBase = await Deno.makeTempDir({ prefix: "runner_pibase_" });
  try {
    const child = spawnRunner([
      "run",
      pdd,
      "-p",
      "test.yml",
      "-i",
      "k",
      "--process-isolation",
      "--process-isolation-path",
      tmpBase,
    ]);
    const reader = await waitForOutput(child, "TASK [shell]");
    await new Promise((r) => setTimeout(r, 700));
    const marker = await jobMarker(pdd, "k");
    const inside = processesWithEnv("RUNNER_JOB_MARKER", marker);
    assert(inside.length > 0);
    assertEquals([...Deno.readDirSync(tmpBase)].length, 1, "the sandbox's temp dir");
    child.kill("SIGKILL"); // no cleanup code runs: bubblewrap's --die-with-parent must do it
    await child.status;
    await reader.cancel();
    await child.stderr.cancel();
    let left = inside;
    for (let i = 0; i < 50 && left.length; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = processesWithEnv("RUNNER_JOB_MARKER", marker);
    }
    assertEquals(left, [], "nothing of the sandboxed job survives");
    // runner's guard removes the sandbox's temp dir once the job's processes are gone.
    let temps = [...Deno.readDirSync(tmpBase)];
    for (let i = 0; i < 30 && temps.length; i++) {
      await new Promise((r) => setTimeout(r, 100));
      temps = [...Deno.readDirSync(tmpBase)];
    }
    assertEquals(temps.map((e) => e.name), [], "nothing of the sandbox's temp dir is left");
  } finally {
    await cleanup(pdd);
    await Deno.remove(tmpBase, { recursive: true });
  }
});
