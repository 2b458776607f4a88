/** End-to-end: job and idle timeouts, SIGTERM/SIGINT, and that no process of the job survives. */
import { join } from "node:path";
import { assert, assertEquals, assertIncludes } from "../src/testing/assert.ts";
import {
  artifact,
  cleanup,
  jobMarker,
  makeSshKey,
  playbookPdd,
  processesWithEnv,
  ROOT,
  runner,
  spawnRunner,
  waitForOutput,
} from "./helpers.ts";

/** A play that leaves background children, a daemonized grandchild, and an async task. */
const STUBBORN = `- hosts: all
  gather_facts: false
  tasks:
    - name: fire and forget
      ansible.builtin.shell: sleep 300
      async: 600
      poll: 0
    - name: background children and a setsid daemon
      ansible.builtin.shell: |
        (trap '' TERM HUP; exec sleep 301) &
        setsid sh -c 'exec sleep 302' < /dev/null > /dev/null 2>&1 &
        sleep 303
`;

Deno.test("timeout: job_timeout stops the job within a second and kills every process", async () => {
  const pdd = await playbookPdd(STUBBORN, { "env/settings": "job_timeout: 3\n" });
  try {
    const r = await runner(["run", pdd, "-p", "test.yml", "-i", "jt"]);
    assertEquals(r.code, 254, r.stderr);
    assertEquals(await artifact(pdd, "jt", "status"), "timeout");
    assertEquals(await artifact(pdd, "jt", "rc"), "254");
    // 3 s timeout + deno/ansible start-up + TERM grace: well under the reference's 5 s poll.
    assert(r.ms < 3000 + 4000, `took ${r.ms} ms`);
    assertEquals(processesWithEnv("RUNNER_JOB_MARKER", await jobMarker(pdd, "jt")), []);
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("timeout: the job is interrupted first, so the running module removes its temp files", async () => {
  // ansible-runner kills outright: the module's payload (~100 KB) stays in the temp dir.
  const tmp = await Deno.makeTempDir({ prefix: "runner_jobtmp_" });
  const pdd = await playbookPdd(
    "- hosts: all\n  gather_facts: false\n  tasks:\n    - ansible.builtin.command: sleep 120\n",
    { "env/settings": "job_timeout: 3\n", "env/envvars": `TMPDIR: ${tmp}\n` },
  );
  try {
    const r = await runner(["run", pdd, "-p", "test.yml", "-i", "ti"]);
    assertEquals(r.code, 254);
    assertEquals(await artifact(pdd, "ti", "status"), "timeout");
    assertIncludes(await artifact(pdd, "ti", "stdout"), "User interrupted execution");
    assertEquals([...Deno.readDirSync(tmp)].map((e) => e.name), []);
    assertEquals(processesWithEnv("RUNNER_JOB_MARKER", await jobMarker(pdd, "ti")), []);
  } finally {
    await cleanup(pdd);
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("timeout: idle_timeout fires when the job prints nothing", async () => {
  const pdd = await playbookPdd(
    "- hosts: all\n  gather_facts: false\n  tasks:\n    - ansible.builtin.command: sleep 120\n",
    { "env/settings": "idle_timeout: 2\n" },
  );
  try {
    const r = await runner(["run", pdd, "-p", "test.yml", "-i", "it"]);
    assertEquals(r.code, 254);
    assertEquals(await artifact(pdd, "it", "status"), "timeout");
    assert(r.ms < 2000 + 4000, `took ${r.ms} ms`);
    assertEquals(processesWithEnv("RUNNER_JOB_MARKER", await jobMarker(pdd, "it")), []);
  } finally {
    await cleanup(pdd);
  }
});

// SIGHUP: the terminal or ssh session runner ran in went away.
for (const sig of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
  Deno.test(`cancel: ${sig} to runner gives canceled, rc 254, and no survivors`, async () => {
    const pdd = await playbookPdd(STUBBORN);
    try {
      const child = spawnRunner(["run", pdd, "-p", "test.yml", "-i", "c"]);
      const reader = await waitForOutput(child, "background children");
      await new Promise((r) => setTimeout(r, 500)); // let the task start its children
      const m = await jobMarker(pdd, "c");
      assert(processesWithEnv("RUNNER_JOB_MARKER", m).length > 0, "job is running");
      const t0 = performance.now();
      child.kill(sig);
      const status = await child.status;
      await reader.cancel();
      await child.stderr.cancel();
      assertEquals(status.code, 254);
      assert(performance.now() - t0 < 5000, "cancel is prompt");
      assertEquals(await artifact(pdd, "c", "status"), "canceled");
      assertEquals(await artifact(pdd, "c", "rc"), "254");
      assertEquals(processesWithEnv("RUNNER_JOB_MARKER", m), []);
    } finally {
      await cleanup(pdd);
    }
  });
}

Deno.test("kill: when runner is SIGKILLed, its guard ends the job's processes all the same", async () => {
  // With a key: the ssh-agent runner started, and its private dir, go too.
  const pdd = await playbookPdd(STUBBORN, { "env/ssh_key": await makeSshKey("k") });
  const tmp = await Deno.makeTempDir({ prefix: "runner_killtmp_" });
  try {
    const child = spawnRunner(["run", pdd, "-p", "test.yml", "-i", "k"], { TMPDIR: tmp });
    const reader = await waitForOutput(child, "background children");
    await new Promise((r) => setTimeout(r, 500)); // let the task start its children
    const m = await jobMarker(pdd, "k");
    assert(processesWithEnv("RUNNER_JOB_MARKER", m).length > 0, "job is running");
    const agentDirs = () =>
      [...Deno.readDirSync(tmp)].filter((e) => e.name.startsWith("runner_ssh_"));
    assertEquals(agentDirs().length, 1, "the agent's dir");
    child.kill("SIGKILL");
    await child.status;
    await reader.cancel();
    await child.stderr.cancel();
    // Nothing can clean up in a SIGKILLed process: the guard, a shell holding a pipe from
    // runner, sees the pipe close and kills what carries the job's marker.
    let left = processesWithEnv("RUNNER_JOB_MARKER", m);
    for (let i = 0; (left.length || agentDirs().length) && i < 50; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = processesWithEnv("RUNNER_JOB_MARKER", m);
    }
    assertEquals(left, []);
    assertEquals(agentDirs().map((e) => e.name), [], "the agent's dir is removed");
  } finally {
    await cleanup(pdd);
    await cleanup(tmp);
  }
});

Deno.test("kill: when runner is SIGKILLed, its guard also ends a process that cleared its environment", async () => {
  // No marker on it, and nohup'd against the hang-up of the job's closing terminal: only its
  // session says it is the job's.
  const pdd = await playbookPdd(`- hosts: all
  gather_facts: false
  tasks:
    - name: a stray without the marker
      ansible.builtin.shell: |
        env -i /usr/bin/nohup /bin/sleep 3091 > /dev/null 2>&1 &
        sleep 303
`);
  const strays = async () => {
    const out = await new Deno.Command("pgrep", { args: ["-x", "-f", "/bin/sleep 3091"] }).output();
    return new TextDecoder().decode(out.stdout).trim().split("\n").filter(Boolean);
  };
  try {
    const child = spawnRunner(["run", pdd, "-p", "test.yml", "-i", "s"]);
    const reader = await waitForOutput(child, "a stray without the marker");
    for (let i = 0; (await strays()).length === 0 && i < 100; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assertEquals((await strays()).length, 1, "the stray is running");
    child.kill("SIGKILL");
    await child.status;
    await reader.cancel();
    await child.stderr.cancel();
    let left = await strays();
    for (let i = 0; left.length && i < 50; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = await strays();
    }
    assertEquals(left, []);
  } finally {
    for (const pid of await strays()) Deno.kill(Number(pid), "SIGKILL");
    await cleanup(pdd);
  }
});

Deno.test("cancel: a SIGHUP that runner was started ignoring (nohup) leaves the job running", async () => {
  const pdd = await playbookPdd(
    "- hosts: all\n  gather_facts: false\n  tasks:\n    - name: nap\n      ansible.builtin.command: sleep 2\n",
  );
  try {
    const child = new Deno.Command("nohup", {
      args: [
        Deno.execPath(),
        "run",
        "-A",
        "--no-lock",
        join(ROOT, "main.ts"),
        "run",
        pdd,
        "-p",
        "test.yml",
        "-i",
        "h",
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const reader = await waitForOutput(child, "TASK [nap]");
    child.kill("SIGHUP");
    const status = await child.status;
    await reader.cancel();
    await child.stderr.cancel();
    assertEquals(status.code, 0);
    assertEquals(await artifact(pdd, "h", "status"), "successful");
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("exit: leftover background processes are killed when the job ends normally", async () => {
  const pdd = await playbookPdd(
    "- hosts: all\n  gather_facts: false\n  tasks:\n    - ansible.builtin.shell: (sleep 304 &) ; echo started\n",
  );
  try {
    const r = await runner(["run", pdd, "-p", "test.yml", "-i", "bg"]);
    assertEquals(r.code, 0, r.stderr);
    assertIncludes(await artifact(pdd, "bg", "stdout"), "changed: [localhost]");
    const marker = await jobMarker(pdd, "bg");
    assertEquals(processesWithEnv("RUNNER_JOB_MARKER", marker), []);
    assert((await Deno.stat(join(pdd, "artifacts", "bg", "job_events"))).isDirectory);
    // The job's guard (see the SIGKILL test) went with runner.
    const guards = await new Deno.Command("pgrep", { args: ["-f", `runner-guard.*${marker}`] })
      .output();
    assertEquals(guards.code, 1, "no guard left");
  } finally {
    await cleanup(pdd);
  }
});

// Left its session, cleared its environment and was orphaned: nothing of the job is on it but
// its adoption by runner (a subreaper). Python's ansible-runner leaves such processes running.
Deno.test("exit: a process that left the session and cleared its environment goes too", async () => {
  const pdd = await playbookPdd(`- hosts: all
  gather_facts: false
  tasks:
    - ansible.builtin.shell: |
        (env -i setsid sh -c 'sleep 3051 & exec sleep 3052' < /dev/null > /dev/null 2>&1 &)
        echo started
`);
  const survivors = async () => {
    const out = await new Deno.Command("pgrep", { args: ["-f", "^sleep 305[12]$"] }).output();
    return new TextDecoder().decode(out.stdout).trim();
  };
  try {
    const r = await runner(["run", pdd, "-p", "test.yml", "-i", "esc"]);
    assertEquals(r.code, 0, r.stderr);
    assertIncludes(r.stdout, "changed: [localhost]");
    assertEquals(await survivors(), "");
  } finally {
    await new Deno.Command("pkill", { args: ["-f", "^sleep 305[12]$"] }).output();
    await cleanup(pdd);
  }
});
