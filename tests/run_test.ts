/** End-to-end: `runner run` against real ansible-playbook, as an operator uses it. */
import { join } from "node:path";
import { assert, assertEquals, assertIncludes } from "../src/testing/assert.ts";
import {
  artifact,
  cleanup,
  exists,
  filesContaining,
  LOCAL_INVENTORY,
  makePdd,
  makeSshKey,
  mountSmallDisk,
  playbookPdd,
  readEvents,
  ROOT,
  runner,
  spawnRunner,
  waitForOutput,
  walkFiles,
} from "./helpers.ts";

const DEMO_COPY = async () => {
  const dir = await Deno.makeTempDir({ prefix: "runner_demo_" });
  await new Deno.Command("cp", { args: ["-r", `${ROOT}/demo/.`, dir] }).output();
  await Deno.remove(join(dir, "artifacts"), { recursive: true }).catch(() => {});
  return dir;
};

Deno.test("run: demo playbook succeeds with complete, chained, private artifacts", async () => {
  const pdd = await DEMO_COPY();
  try {
    const r = await runner(["run", pdd, "-p", "test.yml", "-i", "demo1"]);
    assertEquals(r.code, 0, r.stderr);
    assertIncludes(r.stdout, "hello from runner");
    assertEquals(await artifact(pdd, "demo1", "status"), "successful");
    assertEquals(await artifact(pdd, "demo1", "rc"), "0");

    const dir = join(pdd, "artifacts", "demo1");
    const events = await readEvents(dir);
    assertEquals(events.map((e) => e.counter), events.map((_, i) => i + 1));
    for (let i = 1; i < events.length; i++) {
      assertEquals(events[i].start_line, events[i - 1].end_line, `line chain at ${i + 1}`);
    }
    assertEquals(events[0].event, "playbook_on_start");
    const stats = events.at(-1)!;
    assertEquals(stats.event, "playbook_on_stats");
    assertEquals((stats.event_data as { ok: unknown }).ok, { localhost: 3 });
    for (const e of events) assertEquals(e.runner_ident, "demo1");
    // Each event its own UUID, children pointing at their parents. Plays and tasks carry
    // Ansible's ids (as with ansible-runner); the plugin makes the others, version 4 ones.
    const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    for (const e of events) {
      if (!["playbook_on_play_start", "playbook_on_task_start"].includes(e.event)) {
        assert(V4.test(e.uuid), `${e.event}: ${e.uuid}`);
      }
    }
    const uuids = new Set(events.map((e) => e.uuid));
    assertEquals(uuids.size, events.length);
    for (const e of events.slice(1, -1)) {
      assert(uuids.has(String(e.parent_uuid)), `${e.event}'s parent`);
    }

    // stdout artifact is exactly the events' stdout in order.
    const expected = events.filter((e) => e.stdout).map((e) => e.stdout + "\n").join("");
    assertEquals(await artifact(pdd, "demo1", "stdout"), expected);

    // no_log results are censored: the notice alone (with ansible-core 2.14, and `changed`).
    const secret = events.find((e) =>
      e.event === "runner_on_ok" && (e.event_data as { task: string }).task === "Keep a secret"
    )!;
    const res = (secret.event_data as { res: Record<string, unknown> }).res;
    assert(typeof res.censored === "string", JSON.stringify(res));
    assertEquals(Object.keys(res).filter((k) => k !== "censored" && k !== "changed"), []);

    const command = JSON.parse(await artifact(pdd, "demo1", "command"));
    assertEquals(command.command, [
      "ansible-playbook",
      "-i",
      join(pdd, "inventory"),
      "-e",
      `@${join(pdd, "env", "extravars")}`,
      "test.yml",
    ]);
    assertEquals(command.cwd, join(pdd, "project"));
    assertEquals(command.env.ANSIBLE_STDOUT_CALLBACK, "awx_display");

    assertEquals((await Deno.stat(dir)).mode! & 0o777, 0o700);
    assertEquals((await Deno.stat(join(dir, "job_events"))).mode! & 0o777, 0o700);
    for (const f of await walkFiles(join(dir, "job_events"))) {
      assertEquals((await Deno.stat(f)).mode! & 0o777, 0o600, f);
    }
    for (const name of ["status", "rc", "stdout", "stderr", "command"]) {
      assertEquals((await Deno.stat(join(dir, name))).mode! & 0o777, 0o600, name);
    }
    // Facts are the hosts' data: the cache dir is runner's (0700), not Ansible's default 0755.
    assertEquals((await Deno.stat(join(dir, "fact_cache"))).mode! & 0o777, 0o700);
  } finally {
    await cleanup(pdd);
  }
});

// Ansible's forks print through the main process (-vvv lines, interpreter warnings): a fork
// made while a thread of it held the plugin's lock used to hang at its first line, and a
// fork's frame could cut the main process's frame, leaving its text outside any event.
Deno.test("run: forks printing at -vvv on five hosts: no hang, every line in its event", async () => {
  const hosts = [1, 2, 3, 4, 5].map((i) => `h${i} ${LOCAL_INVENTORY.slice("localhost ".length)}`);
  const pdd = await makePdd({
    "inventory/hosts": hosts.join(""),
    "project/test.yml": "- hosts: all\n  gather_facts: false\n  tasks:\n" +
      '    - command: "true"\n'.repeat(5),
    "env/settings": "job_timeout: 60\n",
  });
  try {
    for (const ident of ["f1", "f2"]) {
      const r = await runner(["run", pdd, "-p", "test.yml", "-vvv", "-i", ident, "-q"]);
      assertEquals([r.code, await artifact(pdd, ident, "status")], [0, "successful"], r.stderr);
      const events = await readEvents(join(pdd, "artifacts", ident));
      const started = events.findIndex((e) => e.event === "playbook_on_start");
      const loose = events.slice(started).filter((e) => !e.event_data);
      assertEquals(loose.map((e) => e.stdout), [], "lines outside any event");
      const mainPid = events[started].pid;
      assert(
        events.some((e) => e.pid !== mainPid),
        "the forks' own (empty) events, as ansible-runner's",
      );
    }
  } finally {
    await cleanup(pdd);
  }
});

// A full disk under the artifact dir: ansible-runner dies with a traceback and no status; the
// job itself need not. runner warns once, skips what it cannot write, and the console (like the
// wire and the handlers) still gets every event whole, a spilled 2 MB line included.
Deno.test("run: a full disk under the artifacts: the job goes on, said once, the console whole", async () => {
  const pdd = await makePdd({
    "project/test.yml": "",
    "prog.sh": "#!/bin/bash\nseq 1 3000\nhead -c 2000000 /dev/zero | tr '\\0' x\necho\n" +
      "seq 3001 20000\nexit 3\n",
  });
  const disk = join(pdd, "disk");
  await Deno.mkdir(disk);
  await Deno.chmod(join(pdd, "prog.sh"), 0o755);
  const unmount = await mountSmallDisk(disk, "400k");
  try {
    const r = await runner([
      "run",
      pdd,
      "-b",
      join(pdd, "prog.sh"),
      "-p",
      "test.yml",
      "-i",
      "full",
      "--artifact-dir",
      disk,
    ]);
    assertEquals(r.code, 3, r.stderr);
    const warnings = r.stderr.split("\n").filter((l) => l.includes("cannot write"));
    assertEquals(warnings.length, 1, r.stderr);
    assertIncludes(warnings[0], "No space left on device");
    const lines = r.stdout.split("\r\n");
    assertEquals(lines.filter((l) => /^\d+$/.test(l)).length, 20000);
    assertEquals(lines.filter((l) => l === "x".repeat(2_000_000)).length, 1);
    const files = await walkFiles(join(disk, "full"));
    assertEquals(files.filter((f) => f.endsWith(".tmp") || f.includes(".stdout-")), []);
  } finally {
    await unmount();
    await cleanup(pdd);
  }
});

// Python coerces a C locale to C.UTF-8 at its start (PEP 538), and ansible-runner's jobs inherit
// it: from a systemd unit with no LANG, a program the job runs counts characters, not bytes.
Deno.test("run: from a C-locale environment, the job has LC_CTYPE=C.UTF-8, as under ansible-runner", async () => {
  const pdd = await makePdd({
    "project/test.yml": "",
    // It lingers: ansible-runner's pexpect can lose the output of a program that exits at once.
    "count.sh": "#!/bin/sh\nprintf 'chars '; printf '\\303\\251' | wc -m\nsleep 0.3\n",
  });
  await Deno.chmod(join(pdd, "count.sh"), 0o755);
  const home = Deno.env.get("HOME")!;
  const env = {
    PATH: "/usr/bin:/bin",
    HOME: home,
    DENO_DIR: Deno.env.get("DENO_DIR") ?? join(home, ".cache", "deno"),
  };
  try {
    const programs: [string, string[]][] = [
      ["r", [Deno.execPath(), "run", "-A", "--no-lock", join(ROOT, "main.ts")]],
      ["p", ["/usr/bin/ansible-runner"]],
    ];
    for (const [ident, argv] of programs) {
      const args = ["run", pdd, "-b", join(pdd, "count.sh"), "-p", "test.yml", "-i", ident];
      const out = await new Deno.Command(argv[0], {
        args: [...argv.slice(1), ...args],
        env,
        clearEnv: true,
        stdout: "piped",
        stderr: "piped",
      }).output();
      assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
      const stdout = await artifact(pdd, ident, "stdout");
      assertIncludes(stdout, "chars 1", `${ident}: ${JSON.stringify(stdout)}`);
      const command = JSON.parse(await artifact(pdd, ident, "command"));
      assertEquals(command.env.LC_CTYPE, "C.UTF-8", ident);
    }
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("run: an environment too large to start the program is said in words", async () => {
  const pdd = await playbookPdd("- hosts: all\n  tasks: []\n", {
    "env/envvars": `BIG: ${"y".repeat(200_000)}\n`,
  });
  try {
    const r = await runner(["run", pdd, "-p", "test.yml", "-i", "big"]);
    assertEquals([r.code, await artifact(pdd, "big", "status")], [1, "error"]);
    assertIncludes(r.stderr, "its command line or environment is too large");
  } finally {
    await cleanup(pdd);
  }
});

// ansible-runner dies with a traceback and no status when its console cannot be written (a full
// disk under a redirected stdout, a terminal gone); the job need not.
Deno.test("run: a console (or stderr) that cannot be written: said once if it can be, the job goes on", async () => {
  const pdd = await playbookPdd(
    "- hosts: all\n  gather_facts: false\n  tasks: [{debug: {msg: hi}}, {debug: {msg: again}}]\n",
    { "env/settings": "not_a_setting: 1\n" }, // a warning on stderr before the job starts
  );
  try {
    const script = `exec "$0" run -A --no-lock "$1" run "$2" -p test.yml -i full > /dev/full`;
    const rest = [Deno.execPath(), join(ROOT, "main.ts"), pdd];
    const out = await new Deno.Command("sh", {
      args: ["-c", script, ...rest],
      env: { NO_COLOR: "1" },
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 0, stderr);
    const warnings = stderr.split("\n").filter((l) => l.includes("cannot write to the console"));
    assertEquals(warnings.length, 1, stderr);
    assertIncludes(warnings[0], "No space left on device");
    assertEquals(await artifact(pdd, "full", "status"), "successful");
    assertIncludes(await artifact(pdd, "full", "stdout"), '"msg": "again"');
    // Nor does a stderr that cannot be written: its lines are dropped, as Python's logging does.
    const noErr = await new Deno.Command("sh", {
      args: ["-c", script.replace("-i full", "-i nostderr --debug") + " 2>/dev/full", ...rest],
    }).output();
    assertEquals(noErr.code, 0);
    assertEquals(await artifact(pdd, "nostderr", "status"), "successful");
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("run: a failing task gives status failed, rc 2, and exit code 2", async () => {
  const pdd = await playbookPdd(
    "- hosts: all\n  gather_facts: false\n  tasks:\n    - ansible.builtin.fail: msg=boom\n",
  );
  try {
    const r = await runner(["run", pdd, "-p", "test.yml", "-i", "f"]);
    assertEquals(r.code, 2);
    assertEquals(await artifact(pdd, "f", "status"), "failed");
    assertEquals(await artifact(pdd, "f", "rc"), "2");
    const events = await readEvents(join(pdd, "artifacts", "f"));
    const failed = events.find((e) => e.event === "runner_on_failed")!;
    assertEquals((failed.event_data as { res: { msg: string } }).res.msg, "boom");
    assertEquals((events.at(-1)!.event_data as { failures: unknown }).failures, { localhost: 1 });
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("run: both documented argument orders, and RUNNER_PLAYBOOK as default", async () => {
  const pdd = await playbookPdd(
    "- hosts: all\n  gather_facts: false\n  tasks: [{debug: {msg: hi}}]\n",
  );
  try {
    const a = await runner(["-p", "test.yml", "run", pdd, "-i", "a"]);
    assertEquals(a.code, 0, a.stderr);
    const b = await runner(["run", pdd, "-i", "b"], { env: { RUNNER_PLAYBOOK: "test.yml" } });
    assertEquals(b.code, 0, b.stderr);
    assertEquals(await artifact(pdd, "b", "status"), "successful");
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("run: module mode runs ansible ad hoc from the private data dir", async () => {
  const pdd = await makePdd({ "inventory/hosts": LOCAL_INVENTORY });
  try {
    const r = await runner([
      "run",
      pdd,
      "-m",
      "ansible.builtin.command",
      "-a",
      "echo module-mode-works",
      "--hosts",
      "localhost",
      "-i",
      "m",
    ]);
    assertEquals(r.code, 0, r.stderr);
    assertIncludes(r.stdout, "module-mode-works");
    const command = JSON.parse(await artifact(pdd, "m", "command"));
    assertEquals(command.command[0], "ansible");
    assertEquals(command.cwd, pdd);
    const events = await readEvents(join(pdd, "artifacts", "m"));
    assert(events.some((e) => e.event === "runner_on_ok"));
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("run: role mode generates a playbook, runs the role, removes the playbook", async () => {
  const pdd = await makePdd({
    "inventory/hosts": LOCAL_INVENTORY,
    "roles/greet/tasks/main.yml": '- ansible.builtin.debug:\n    msg: "{{ who }} from role"\n',
    "project/.keep": "",
  });
  try {
    const r = await runner([
      "run",
      pdd,
      "-r",
      "greet",
      "--role-vars",
      "who=somebody",
      "--role-skip-facts",
      "-i",
      "r",
    ]);
    assertEquals(r.code, 0, r.stderr);
    assertIncludes(r.stdout, "somebody from role");
    const events = await readEvents(join(pdd, "artifacts", "r"));
    assert(!events.some((e) => e.event === "runner_on_ok" && e.stdout.includes("Gathering")));
    const left = [...Deno.readDirSync(join(pdd, "project"))].map((e) => e.name);
    assertEquals(left, [".keep"]);
  } finally {
    await cleanup(pdd);
  }
});

// With no project dir, a role job makes one for its playbook. Jobs that share the private data
// dir used to remove it from under each other's ansible-playbook (its playbook and working dir).
Deno.test("run: role jobs side by side without a project dir", async () => {
  const pdd = await makePdd({
    "inventory/hosts": LOCAL_INVENTORY,
    "roles/nap/tasks/main.yml": "- ansible.builtin.command: sleep {{ nap }}\n",
  });
  try {
    // The first ends while the others run; the last to start ends last.
    const naps = ["0", "1.5", "1", "2"];
    const results = await Promise.all(naps.map(async (nap, i) => {
      await new Promise((res) => setTimeout(res, 300 * i));
      return runner(["run", pdd, "-r", "nap", "--role-vars", `nap=${nap}`, "--role-skip-facts"]);
    }));
    for (const r of results) assertEquals(r.code, 0, r.stdout + r.stderr);
    // Each removed its own playbook; the dir is left only where another job was still using it.
    const left = await exists(join(pdd, "project"))
      ? [...Deno.readDirSync(join(pdd, "project"))]
      : [];
    assertEquals(left, []);
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("run: a role job in a read-only private data dir names the dir it cannot write", async () => {
  const pdd = await makePdd({
    "inventory/hosts": LOCAL_INVENTORY,
    "project/.keep": "",
    "roles/greet/tasks/main.yml": "- ansible.builtin.debug: msg=hi\n",
  });
  const art = await Deno.makeTempDir({ prefix: "runner_art_" });
  const bind = (args: string[]) => new Deno.Command("mount", { args, stderr: "piped" }).output();
  try {
    for (const args of [["--bind", pdd, pdd], ["-o", "remount,bind,ro", pdd]]) {
      const m = await bind(args);
      assert(m.success, `this test bind-mounts read-only (it needs root): ${m.stderr}`);
    }
    const r = await runner(["run", pdd, "-r", "greet", "--artifact-dir", art, "--ident", "ro"]);
    assertEquals(r.code, 1, r.stdout + r.stderr);
    const said =
      `runner: cannot write the role's playbook into ${pdd}/project: Read-only file system`;
    assertEquals(await Deno.readTextFile(join(art, "ro", "stderr")), said + "\n");
    assertEquals(await Deno.readTextFile(join(art, "ro", "status")), "error");
  } finally {
    await new Deno.Command("umount", { args: [pdd] }).output();
    await cleanup(pdd);
    await cleanup(art);
  }
});

Deno.test("run: an ident whose job is running is refused; a rerun starts its events afresh", async () => {
  const pdd = await makePdd({
    "inventory/hosts": LOCAL_INVENTORY,
    "project/slow.yml":
      "- hosts: all\n  gather_facts: false\n  tasks:\n    - ansible.builtin.command: sleep 3\n",
    "project/quick.yml": "- hosts: all\n  gather_facts: false\n  tasks:\n    - ping:\n",
    // Put there for the job, as AWX puts a fact cache: it stays.
    "artifacts/dup/fact_cache/localhost": '{"seeded": true}',
  });
  try {
    const first = spawnRunner(["run", pdd, "-p", "slow.yml", "--ident", "dup"]);
    const reader = await waitForOutput(first, "TASK [ansible.builtin.command]");
    const second = await runner(["run", pdd, "-p", "quick.yml", "--ident", "dup"]);
    assertEquals(second.code, 1);
    assertEquals(
      second.stderr.trim(),
      `runner: error: --ident: 'dup' is in use: a job with this ident is running in ${pdd}/artifacts/dup`,
    );
    await reader.cancel();
    assertEquals((await first.status).code, 0);
    const firstEvents = (await readEvents(join(pdd, "artifacts/dup"))).map((e) => e.uuid);
    // The rerun's events, and none of the first run's.
    const rerun = await runner(["run", pdd, "-p", "quick.yml", "--ident", "dup"]);
    assertEquals(rerun.code, 0, rerun.stderr);
    const events = await readEvents(join(pdd, "artifacts/dup"));
    assertEquals(events.map((e) => e.counter), events.map((_, i) => i + 1));
    assert(!events.some((e) => firstEvents.includes(e.uuid)), "the first run's events are gone");
    assertIncludes(await artifact(pdd, "dup", "stdout"), "ping");
    assertEquals(await artifact(pdd, "dup", "fact_cache/localhost"), '{"seeded": true}');
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("run: a role's roles path defaults to ANSIBLE_ROLES_PATH, as in ansible-runner", async () => {
  const pdd = await makePdd({ "inventory/hosts": LOCAL_INVENTORY });
  const roles = await makePdd({
    "shared/tasks/main.yml": "- ansible.builtin.debug: msg=shared-role\n",
  });
  try {
    const env = { ANSIBLE_ROLES_PATH: roles };
    const ours = await runner(["run", pdd, "-r", "shared", "--role-skip-facts", "-i", "o"], {
      env,
    });
    const python = await new Deno.Command("/usr/bin/ansible-runner", {
      args: ["run", pdd, "-r", "shared", "--role-skip-facts", "-i", "p"],
      env,
    }).output();
    assertEquals([ours.code, python.code], [0, 0], ours.stderr);
    assertIncludes(ours.stdout, '"msg": "shared-role"');
    assertIncludes(new TextDecoder().decode(python.stdout), '"msg": "shared-role"');
    const command = JSON.parse(await artifact(pdd, "o", "command"));
    assertEquals(command.env.ANSIBLE_ROLES_PATH, roles);
    // Both made the project dir for their playbook, and removed it.
    assert(!await exists(join(pdd, "project")));
  } finally {
    await cleanup(pdd);
    await cleanup(roles);
  }
});

// `.*` matches nothing anywhere: answered, it was found again at once, without end, and runner
// ran out of memory (ansible-runner spins, sending it, until the job ends).
Deno.test("run: an env/passwords pattern that matches nothing does not loop", async () => {
  const pdd = await playbookPdd(
    "- hosts: all\n  gather_facts: false\n  tasks:\n    - ansible.builtin.debug: msg=hi\n",
    { "env/passwords": '".*": "whatever"\n"^$": "again"\n', "env/settings": "job_timeout: 30\n" },
  );
  try {
    const r = await runner(["run", pdd, "-p", "test.yml", "-i", "e"]);
    assertEquals([r.code, await artifact(pdd, "e", "status")], [0, "successful"], r.stderr);
    assertIncludes(r.stdout, '"msg": "hi"');
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("run: vars_prompt is answered from env/passwords; the answer reaches no artifact", async () => {
  const secret = "s3cr3t-answer-981";
  const pdd = await playbookPdd(
    `- hosts: all
  gather_facts: false
  vars_prompt:
    - name: word
      prompt: Say the word
      private: true
  tasks:
    - ansible.builtin.debug:
        msg: "length {{ word | length }}"
`,
    {
      "env/passwords": `"^Say the word:\\\\s*$": "${secret}"\n`,
      "env/settings": "job_timeout: 30\n",
    },
  );
  try {
    const r = await runner(["run", pdd, "-p", "test.yml", "-i", "p"]);
    assertEquals(r.code, 0, r.stdout + r.stderr);
    assertIncludes(r.stdout, `length ${secret.length}`);
    assertEquals(
      await filesContaining(join(pdd, "artifacts"), [secret]),
      [],
      "secret in artifacts",
    );
    assert(!r.stdout.includes(secret));
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("run: -j prints one JSON event per line, in the stdout artifact too", async () => {
  const pdd = await playbookPdd(
    "- hosts: all\n  gather_facts: false\n  tasks: [{debug: {msg: js}}]\n",
  );
  try {
    const r = await runner(["run", pdd, "-p", "test.yml", "-i", "j", "-j"]);
    assertEquals(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assertEquals(lines[0].event, "playbook_on_start");
    assertEquals(lines.at(-1).event, "playbook_on_stats");
    const art = (await artifact(pdd, "j", "stdout")).trim().split("\n").map((l) => JSON.parse(l));
    assertEquals(art.map((e) => e.uuid), lines.map((e) => e.uuid));
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("run: -j prints lines from outside any event as text, as ansible-runner does", async () => {
  const pdd = await makePdd({ "project/lines.sh": "#!/bin/sh\necho one\necho\necho two\n" });
  try {
    await Deno.chmod(join(pdd, "project/lines.sh"), 0o755);
    const r = await runner(["run", pdd, "-b", join(pdd, "project/lines.sh"), "-i", "l", "-j"]);
    assertEquals(r.code, 0, r.stderr);
    assertEquals(r.stdout, "one\r\n\r\ntwo\r\n");
    assertEquals(await artifact(pdd, "l", "stdout"), "one\r\n\r\ntwo\r\n");
    const events = await readEvents(join(pdd, "artifacts", "l"));
    assertEquals(events.map((e) => [e.event, e.stdout]), [
      ["verbose", "one"],
      ["verbose", ""],
      ["verbose", "two"],
    ]);
  } finally {
    await cleanup(pdd);
  }
});

/** `runner run PDD -p test.yml -i ID -q --rotate-artifacts KEEP`, which must succeed quietly. */
async function rotatingRun(pdd: string, ident: string, keep: number): Promise<void> {
  const args = ["-p", "test.yml", "-i", ident, "-q", "--rotate-artifacts", String(keep)];
  const r = await runner(["run", pdd, ...args]);
  assertEquals([r.code, r.stdout], [0, ""], r.stderr);
}

/** The names in PDD/artifacts, sorted. */
function artifactDirs(pdd: string): string[] {
  return [...Deno.readDirSync(join(pdd, "artifacts"))].map((e) => e.name).sort();
}

Deno.test("run: -q prints nothing; --rotate-artifacts keeps the newest N", async () => {
  const pdd = await playbookPdd(
    "- hosts: all\n  gather_facts: false\n  tasks: [{debug: {msg: q}}]\n",
  );
  try {
    for (const id of ["r1", "r2", "r3"]) {
      await rotatingRun(pdd, id, 2);
      await new Promise((res) => setTimeout(res, 20)); // distinct mtimes
    }
    assertEquals(artifactDirs(pdd), ["r2", "r3"]);
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("run: --rotate-artifacts leaves the dir of a job still running", async () => {
  const pdd = await playbookPdd(
    "- hosts: all\n  gather_facts: false\n  tasks: [{debug: {msg: q}}]\n",
    {
      "project/wait.yml": `- hosts: all
  gather_facts: false
  tasks:
    - debug: {msg: started}
    - wait_for: {path: "{{ go }}", timeout: 120}
`,
    },
  );
  const go = join(pdd, "go");
  try {
    await rotatingRun(pdd, "old", 1);
    const long = spawnRunner(["run", pdd, "-p", "wait.yml", "-i", "long", `--cmdline=-e go=${go}`]);
    const reader = await waitForOutput(long, "started");
    try {
      // Two jobs end while it runs: the finished dirs go, the running one stays.
      await rotatingRun(pdd, "new1", 1);
      await rotatingRun(pdd, "new2", 1);
      assertEquals(artifactDirs(pdd), ["long", "new2"]);
    } finally {
      Deno.writeTextFileSync(go, "");
      await reader.cancel();
    }
    const status = await long.status;
    assertEquals(status.code, 0);
    assertEquals(await artifact(pdd, "long", "status"), "successful");
    const events = await readEvents(join(pdd, "artifacts", "long"));
    assertEquals(events.map((e) => e.counter), events.map((_, i) => i + 1));
    assertEquals(events.at(-1)?.event, "playbook_on_stats");
    // Ended, its dir rotates out like any other.
    await rotatingRun(pdd, "after", 1);
    assertEquals(artifactDirs(pdd), ["after"]);
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("run: the plugin's bytecode is compiled on the first job and reused by the next", async () => {
  const pdd = await playbookPdd(
    "- hosts: all\n  gather_facts: false\n  tasks: [{debug: {msg: b}}]\n",
  );
  const cache = await Deno.makeTempDir({ prefix: "runner_cache_" });
  // Deno's own cache follows XDG_CACHE_HOME too: keep it where it is.
  const denoDir = Deno.env.get("DENO_DIR") ?? join(Deno.env.get("HOME")!, ".cache", "deno");
  const env = { XDG_CACHE_HOME: cache, DENO_DIR: denoDir };
  try {
    const first = await runner(["run", pdd, "-p", "test.yml", "-q", "--debug"], { env });
    assertEquals(first.code, 0, first.stderr);
    assertIncludes(first.stderr, `callback bytecode compiled into ${cache}/runner/callback/`);
    const second = await runner(["run", pdd, "-p", "test.yml", "-q", "--debug"], { env });
    assertEquals(second.code, 0, second.stderr);
    assertIncludes(second.stderr, `callback bytecode from ${cache}/runner/callback/`);
    assert(!second.stderr.includes("callback bytecode compiled"), second.stderr);
    // The job's copy goes with the plugin when the job ends.
    for (const f of await walkFiles(join(pdd, "artifacts"))) assert(!f.includes("callback"), f);
  } finally {
    await cleanup(pdd);
    await Deno.remove(cache, { recursive: true });
  }
});

Deno.test("run: a result holding NaN or Infinity keeps its event (the values become null)", async () => {
  const pdd = await playbookPdd("- hosts: all\n  gather_facts: false\n  tasks: [{nanmod: {}}]\n", {
    "project/library/nanmod.py": "#!/usr/bin/python3\nimport json\n" +
      'print(json.dumps({"changed": False, "value": float("nan"), "big": float("inf")}))\n',
  });
  try {
    const r = await runner(["run", pdd, "-p", "test.yml", "-q", "-i", "n1"]);
    assertEquals(r.code, 0, r.stderr);
    const events = await readEvents(join(pdd, "artifacts", "n1"));
    const ok = events.find((e) => e.event === "runner_on_ok")!;
    const res = (ok.event_data as { res: Record<string, unknown> }).res;
    assertEquals([res.value, res.big], [null, null]);
    assert(!(await artifact(pdd, "n1", "stdout")).includes("\x1b_RNR"), "no raw record in stdout");
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("run: AWX's JOB_ID (and its kin) goes into every event, as a number", async () => {
  const pdd = await playbookPdd(
    "- hosts: all\n  gather_facts: false\n  tasks: [{debug: {msg: j}}]\n",
    { "env/envvars": "JOB_ID: '42'\nPROJECT_UPDATE_ID: not-a-number\n" },
  );
  try {
    const r = await runner(["run", pdd, "-p", "test.yml", "-q", "-i", "j1"]);
    assertEquals(r.code, 0, r.stderr);
    const events = await readEvents(join(pdd, "artifacts", "j1"));
    assert(events.length >= 5);
    for (const e of events) {
      assertEquals(e.job_id, 42, e.event);
      assert(!("project_update_id" in e), e.event);
    }
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("run: gathered facts reach events without the host's environment (ansible_env)", async () => {
  // The environment may hold credentials; ansible-runner strips it from fact-gathering events
  // too. The value below is in the job's environment, so a local host's ansible_env has it.
  const secret = "env-value-4d1f7c";
  const pdd = await playbookPdd(
    "- hosts: all\n  tasks:\n    - ansible.builtin.setup:\n        gather_subset: [env]\n",
    { "env/envvars": `SOME_TOKEN: ${secret}\n` },
  );
  try {
    const r = await runner(["run", pdd, "-p", "test.yml", "-q", "-i", "f1"]);
    assertEquals(r.code, 0, r.stderr);
    const events = await readEvents(join(pdd, "artifacts", "f1"));
    const facts = events.filter((e) => e.event === "runner_on_ok");
    assertEquals(facts.length, 2, "implicit gathering and the setup task");
    for (const e of facts) {
      const res = (e.event_data as { res: { ansible_facts: Record<string, unknown> } }).res;
      assert("ansible_user_id" in res.ansible_facts, "the other facts stay");
      assert(!("ansible_env" in res.ansible_facts), "no ansible_env");
    }
    const jobEvents = join(pdd, "artifacts", "f1", "job_events");
    assertEquals(await filesContaining(jobEvents, [secret]), []);
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("run: --omit-event-data and --only-failed-event-data", async () => {
  const pdd = await playbookPdd(
    "- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: msg=x\n    - fail: msg=y\n      ignore_errors: true\n",
  );
  try {
    await runner(["run", pdd, "-p", "test.yml", "-i", "o", "--omit-event-data", "-q"]);
    for (const e of await readEvents(join(pdd, "artifacts", "o"))) {
      assertEquals(e.event_data, {}, e.event);
    }
    await runner(["run", pdd, "-p", "test.yml", "-i", "of", "--only-failed-event-data", "-q"]);
    for (const e of await readEvents(join(pdd, "artifacts", "of"))) {
      if (e.event === "runner_on_failed") {
        assertEquals((e.event_data as { res: { msg: string } }).res.msg, "y");
      } else assertEquals(e.event_data, {}, e.event);
    }
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("run: a binary that cannot be started gives rc 127 and says what is missing", async () => {
  const pdd = await makePdd({ "env/.keep": "" });
  try {
    const r = await runner(["run", pdd, "-b", "no-such-program-xyz", "-i", "nb"]);
    assertEquals(r.code, 127);
    assertIncludes(r.stdout, "cannot run 'no-such-program-xyz': no such executable in PATH (");
    assertEquals(await artifact(pdd, "nb", "status"), "failed");
    assertEquals(await artifact(pdd, "nb", "rc"), "127");
    // A path is not looked up in PATH: the message says what is (or is not) there.
    const cases: [string, string][] = [
      [join(pdd, "no-such-file"), `no such file (${join(pdd, "no-such-file")})`],
      [join(pdd, "env"), `${join(pdd, "env")} is a directory`],
      [join(pdd, "env/.keep"), `${join(pdd, "env/.keep")} is not executable (mode 0644)`],
    ];
    for (const [program, why] of cases) {
      const p = await runner(["run", pdd, "-b", program, "-i", "np"]);
      assertEquals(p.code, 127);
      assertIncludes(p.stdout, `cannot run '${program}': ${why}`);
    }
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("run: env/ssh_key is loaded into an ssh-agent and never written to disk", async () => {
  const key = await makeSshKey("runner-test-key");
  const pdd = await makePdd({ "env/ssh_key": key, "env/cmdline": "-l" });
  try {
    const r = await runner(["run", pdd, "-b", "ssh-add", "-i", "k"]);
    assertEquals(r.code, 0, r.stdout + r.stderr);
    assertIncludes(r.stdout, "runner-test-key");
    const body = key.split("\n").filter((l) => l.length > 20)[1];
    assertEquals(await filesContaining(pdd, [body], "env/ssh_key"), [], "key material on disk");
    const env = JSON.parse(await artifact(pdd, "k", "command")).env;
    assert(env.SSH_AUTH_SOCK, "job ran with an agent");
    assert(
      !(await exists(env.SSH_AUTH_SOCK)),
      "agent socket removed",
    );
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("run: a key's passphrase is answered from env/passwords, as AWX gives it", async () => {
  const passphrase = "unlock-4711";
  const key = await makeSshKey("locked-key", passphrase);
  const pdd = await makePdd({
    "env/ssh_key": key,
    "env/cmdline": "-l",
    // AWX's own pattern for a machine credential's key passphrase.
    "env/passwords": `"Enter passphrase for .*:\\\\s*?$": "${passphrase}"\n`,
  });
  try {
    const r = await runner(["run", pdd, "-b", "ssh-add", "-i", "k"]);
    assertEquals(r.code, 0, r.stdout + r.stderr);
    assertIncludes(r.stdout, "locked-key");
    // What ssh-add printed opens the job's stdout, as in ansible-runner's.
    const fifo = join(pdd, "artifacts/k/ssh_key_data");
    const events = await readEvents(join(pdd, "artifacts/k"));
    assertEquals(events.slice(0, 2).map((e) => [e.event, e.stdout]), [
      ["verbose", `Enter passphrase for ${fifo}: `],
      ["verbose", `Identity added: ${fifo} (locked-key)`],
    ]);
    assertEquals(await filesContaining(pdd, [passphrase], "env/passwords"), [], "passphrase");
    const body = key.split("\n").filter((l) => l.length > 20)[1];
    assertEquals(await filesContaining(pdd, [body], "env/ssh_key"), [], "key material on disk");
    assert(!(await exists(fifo)), "the FIFO is gone");
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("run: a key's passphrase that is missing or refused fails the job at once, saying why", async () => {
  const key = await makeSshKey("locked-key", "right-one");
  const cases: [string, RegExp][] = [
    ["", /env\/ssh_key needs a passphrase: ssh-add asks "Enter passphrase for .*ssh_key_data:"/],
    [
      `"passphrase for .*:\\\\s*?$": "wrong-one"\n`,
      /ssh-add refused the passphrase env\/passwords gives for env\/ssh_key: it asks "Bad passphrase/,
    ],
    // AWX answers ssh-add's second ask with nothing, and ssh-add gives up.
    [
      `"Enter passphrase for .*:\\\\s*?$": "wrong-one"\n"Bad passphrase, try again for .*:\\\\s*?$": ""\n`,
      /refused the passphrase env\/passwords gives for env\/ssh_key: ssh-add gave up at "Bad passphrase, try again for .*ssh_key_data:"/,
    ],
  ];
  for (const [passwords, message] of cases) {
    const pdd = await makePdd({
      "env/ssh_key": key,
      "env/settings": "job_timeout: 60\n",
      ...(passwords ? { "env/passwords": passwords } : {}),
    });
    try {
      const t0 = Date.now();
      const r = await runner(["run", pdd, "-b", "true", "-i", "k"]);
      assertEquals(r.code, 1, r.stdout + r.stderr);
      assert(Date.now() - t0 < 20_000, "given up on within seconds, not at the job's timeout");
      assert(message.test(r.stdout), r.stdout);
      // Failed, as ansible-runner's `ssh-add KEY && …` fails; ssh-add's own lines come first.
      assertEquals(await artifact(pdd, "k", "status"), "failed");
      const stdout = await artifact(pdd, "k", "stdout");
      assert(message.test(stdout), stdout);
      assert(stdout.startsWith("Enter passphrase for "), stdout);
      // What was to run is recorded all the same, as ansible-runner records its command.
      assertEquals(JSON.parse(await artifact(pdd, "k", "command")).command, ["true"]);
    } finally {
      await cleanup(pdd);
    }
  }
});

Deno.test("run: env/ssh_key without ssh-agent in the job's PATH says so", async () => {
  const pdd = await makePdd({
    "env/ssh_key": await makeSshKey("k"),
    "env/envvars": "PATH: /nonexistent\n",
  });
  try {
    const r = await runner(["run", pdd, "-b", "/bin/true", "-i", "k"]);
    assertEquals(r.code, 1, r.stdout + r.stderr);
    assertIncludes(r.stderr, "ssh-agent is not in PATH (/nonexistent): env/ssh_key needs it");
    assertEquals(await artifact(pdd, "k", "status"), "error");
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("cli: --version and --help explain themselves", async () => {
  const v = await runner(["--version"]);
  assertEquals(v.code, 0);
  assert(/^\d+\.\d+\.\d+\n$/.test(v.stdout));
  const h = await runner(["run", "--help"]);
  assertEquals(h.code, 0);
  for (
    const flag of [
      "--playbook",
      "--module",
      "--args",
      "--hosts",
      "--role",
      "--roles-path",
      "--role-vars",
      "--role-skip-facts",
      "--binary",
      "--ident",
      "--limit",
      "--cmdline",
      "--forks",
      "-v",
      "--inventory",
      "--project-dir",
      "--artifact-dir",
      "--rotate-artifacts",
      "--json",
      "--quiet",
      "--omit-event-data",
      "--only-failed-event-data",
      "--omit-env-files",
      "--debug",
      "--logfile",
    ]
  ) assertIncludes(h.stdout, flag);
});

Deno.test("run: a task printing 200,000 lines: artifacts complete, spill files gone", async () => {
  const pdd = await playbookPdd(`- hosts: all
  gather_facts: false
  tasks:
    - ansible.builtin.command: seq -f 'output line %06g' 200000
      register: out
    - ansible.builtin.debug: var=out.stdout_lines
`);
  try {
    const r = await runner(["run", pdd, "-p", "test.yml", "-i", "big", "-q"]);
    assertEquals(r.code, 0, r.stderr);
    const dir = join(pdd, "artifacts", "big");
    const events = await readEvents(dir);
    const debug = events.find((e) =>
      e.event === "runner_on_ok" && e.stdout.includes("output line 199999")
    )!;
    assert(debug, "the big event is whole");
    assertEquals(debug.end_line - debug.start_line, 200_004); // "ok: … {", the key, 200,000 lines, "]", "}"
    const stdout = await Deno.readTextFile(join(dir, "stdout"));
    assertEquals(stdout, events.filter((e) => e.stdout).map((e) => e.stdout + "\n").join(""));
    assertEquals([...Deno.readDirSync(dir)].filter((e) => e.name.startsWith(".stdout-")), []);
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("run: results larger than MAX_EVENT_RES are dropped from events, as ansible-runner does", async () => {
  const pdd = await playbookPdd(
    "- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: msg=\"{{ 'x' * 500 }}\"\n    - debug: msg=small\n",
    { "env/envvars": "MAX_EVENT_RES: 200\n" },
  );
  try {
    const r = await runner(["run", pdd, "-p", "test.yml", "-i", "mx", "-q"]);
    assertEquals(r.code, 0, r.stderr);
    const oks = (await readEvents(join(pdd, "artifacts", "mx"))).filter((e) =>
      e.event === "runner_on_ok"
    );
    assertEquals(oks[0].event_data!.res, {}, "the big result is dropped");
    assertEquals((oks[1].event_data!.res as { msg: string }).msg, "small");
    assertIncludes(oks[0].stdout, "x".repeat(500), "the text is still shown");
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("run: with ANSIBLE_DEBUG, Ansible's debug lines are debug events", async () => {
  const pdd = await playbookPdd(
    "- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: msg=hi\n",
    { "env/envvars": 'ANSIBLE_DEBUG: "1"\n' },
  );
  try {
    const r = await runner(["run", pdd, "-p", "test.yml", "-i", "dbg", "-q"]);
    assertEquals(r.code, 0, r.stderr);
    const events = await readEvents(join(pdd, "artifacts", "dbg"));
    // Ansible prints them as "<pid> <time>: <message>", in its debug colour.
    const lines = events.filter((e) => e.event === "debug" && /\d+ \d+\.\d+: /.test(e.stdout));
    assert(lines.length > 10, `${lines.length} debug events with text`);
    assert(events.some((e) => e.event === "playbook_on_stats"), "the play ran to its end");
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("run: event files and command are laid out as Python's json.dump writes them, as ansible-runner's are", async () => {
  // Text beyond ASCII, control characters, and one event too large to be made in one piece.
  const pdd = await playbookPdd(
    `- hosts: all
  gather_facts: false
  tasks:
    - ansible.builtin.debug: msg="héllo 日本語 🎉 tab\\there"
    - ansible.builtin.command: printf 'a\\x01b\\n\\xff'
      changed_when: false
    - ansible.builtin.command: seq -f 'a long line of output number %06g' 5000
      changed_when: false
`,
    { "env/envvars": "GREETING: héllo wörld\n" },
  );
  try {
    const r = await runner(["run", pdd, "-p", "test.yml", "-i", "layout", "-q"]);
    assertEquals(r.code, 0, r.stderr);
    const dir = join(pdd, "artifacts", "layout", "job_events");
    const files = [...Deno.readDirSync(dir)].map((e) => join(dir, e.name)).sort();
    assert(files.length >= 10, `${files.length} event files`);
    // Python reads each file and writes it again with json.dumps' defaults: the same bytes.
    const check = await new Deno.Command("python3", {
      args: [
        "-c",
        "import json, sys\nfor f in sys.argv[1:]:\n    t = open(f, encoding='utf-8').read()\n" +
        "    print('same' if json.dumps(json.loads(t)) == t else 'differs: ' + f)",
        ...files,
      ],
    }).output();
    const lines = new TextDecoder().decode(check.stdout).trim().split("\n");
    assertEquals(lines.filter((l) => l !== "same"), [], new TextDecoder().decode(check.stderr));
    assertEquals(lines.length, files.length);
    // `command` as json.dump(…, ensure_ascii=False) writes it.
    const command = await new Deno.Command("python3", {
      args: [
        "-c",
        "import json, sys\nt = open(sys.argv[1], encoding='utf-8').read()\n" +
        "print(json.dumps(json.loads(t), ensure_ascii=False) == t, 'héllo wörld' in t)",
        join(pdd, "artifacts", "layout", "command"),
      ],
    }).output();
    assertEquals(new TextDecoder().decode(command.stdout).trim(), "True True");
    const big = files.map((f) => Deno.readTextFileSync(f)).find((t) => t.length > 100_000);
    assert(big, "one event too large to be made in one piece");
    assertIncludes(files.map((f) => Deno.readTextFileSync(f)).join(), "h\\u00e9llo");
  } finally {
    await cleanup(pdd);
  }
});
