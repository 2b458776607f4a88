/** End-to-end: the TypeScript API (mod.ts) against real ansible-playbook runs. */
import { join } from "node:path";
import { assert, assertEquals, assertIncludes } from "../src/testing/assert.ts";
import {
  ConfigError,
  type JobEvent,
  type JobStatus,
  processStream,
  run,
  runAsync,
  transmit,
  worker,
} from "../mod.ts";
import { cleanup, exists, mountSmallDisk, playbookPdd, processesWithEnv } from "./helpers.ts";

const PLAY = `- hosts: all
  gather_facts: true
  gather_subset: [min]
  tasks:
    - ansible.builtin.debug: msg="job-{{ n | default('x') }}"
    - ansible.builtin.command: echo second
`;

Deno.test("library: run() with handlers, stats, host events, facts and stdout", async () => {
  const pdd = await playbookPdd(PLAY);
  try {
    const statuses: JobStatus[] = [];
    const seen: JobEvent[] = [];
    let finished = false;
    let artifactsAt = "";
    const pluginEvents: string[] = [];
    const runner = await run({
      privateDataDir: pdd,
      playbook: "test.yml",
      ident: "lib1",
      extravars: { n: 7 },
      eventHandler: (e) => {
        seen.push(e);
      },
      statusHandler: (s, info) => {
        statuses.push(s);
        if (s === "starting") assertEquals(info.command?.[0], "ansible-playbook");
      },
      finishedCallback: (r) => {
        finished = r.status === "successful";
      },
      artifactsHandler: (dir) => {
        artifactsAt = dir;
      },
      plugins: [{ eventHandler: (e) => void pluginEvents.push(e.event) }],
    });
    assertEquals([runner.status, runner.rc], ["successful", 0]);
    assertEquals(statuses, ["starting", "running", "successful"]);
    assert(finished);
    assertEquals(artifactsAt, join(pdd, "artifacts", "lib1"));
    assertEquals(pluginEvents, seen.map((e) => e.event));
    const events: JobEvent[] = [];
    for await (const e of runner.events()) events.push(e);
    assertEquals(events.map((e) => e.uuid), seen.map((e) => e.uuid));
    assertEquals((runner.stats as { ok: unknown }).ok, { localhost: 3 });
    const host = await runner.hostEvents("localhost");
    assert(host.length >= 6 && host.every((e) => e.event_data?.host === "localhost"));
    assert(host.some((e) => e.stdout.includes("job-7")));
    const facts = await runner.getFactCache("localhost");
    assert(facts && typeof facts.ansible_hostname === "string", "facts cached");
    assertEquals(await runner.getFactCache("nobody"), null);
    const text = await new Response(await runner.stdout()).text();
    assertEquals(text, await Deno.readTextFile(join(pdd, "artifacts", "lib1", "stdout")));
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("library: an eventHandler returning false keeps that event file out, nothing else", async () => {
  const pdd = await playbookPdd(PLAY);
  try {
    const runner = await run({
      privateDataDir: pdd,
      playbook: "test.yml",
      ident: "filtered",
      quiet: true,
      eventHandler: (e) => e.event !== "runner_on_start" && e.event !== "runner_on_ok",
    });
    const dir = join(pdd, "artifacts", "filtered");
    const files = [...Deno.readDirSync(join(dir, "job_events"))];
    const kinds: string[] = [];
    for await (const e of runner.events()) kinds.push(e.event);
    assert(!kinds.includes("runner_on_start") && !kinds.includes("runner_on_ok"));
    assertEquals(files.length, kinds.length);
    // As ansible-runner's: the stdout artifact still has every event's text (it used to lose
    // the text of the events kept out), and the stats are there.
    assertIncludes(await Deno.readTextFile(join(dir, "stdout")), '"msg": "job-x"');
    assertEquals((runner.stats?.ok as Record<string, number>)?.localhost, 3);
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("library: events() is live while the job runs; cancel() stops it", async () => {
  const pdd = await playbookPdd(
    "- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: msg=before\n    - command: sleep 60\n",
  );
  try {
    const { runner, done } = await runAsync({
      privateDataDir: pdd,
      playbook: "test.yml",
      ident: "live",
    });
    const live: string[] = [];
    for await (const e of runner.events()) {
      live.push(e.event);
      if (e.event === "playbook_on_task_start" && e.event_data?.task === "command") runner.cancel();
    }
    await done;
    assertEquals([runner.status, runner.rc], ["canceled", 254]);
    assertEquals(live.filter((e) => e === "playbook_on_task_start").length, 2);
  } finally {
    await cleanup(pdd);
  }
});

// A full disk keeps some event files from being written: events() passes over them (it used
// to throw NotFound at the first), as ansible-runner's events lists only the files there are.
Deno.test("library: events() on a full disk gives the events that were written", async () => {
  const pdd = await playbookPdd(
    "- hosts: all\n  gather_facts: false\n  tasks:\n" +
      '    - debug: msg={{ item }}\n      loop: "{{ range(300) | list }}"\n',
  );
  const disk = join(pdd, "disk");
  await Deno.mkdir(disk);
  const unmount = await mountSmallDisk(disk, "300k");
  try {
    const { runner, done } = await runAsync({
      privateDataDir: pdd,
      playbook: "test.yml",
      ident: "full",
      artifactDir: disk,
      quiet: true,
    });
    const counters: number[] = [];
    for await (const e of runner.events()) counters.push(e.counter);
    await done;
    assertEquals([runner.status, runner.rc], ["successful", 0]);
    const files = [...Deno.readDirSync(join(disk, "full", "job_events"))];
    assertEquals(counters.length, files.length);
    assert(files.length > 10 && files.length < 300, `${files.length} event files`);
  } finally {
    await unmount();
    await cleanup(pdd);
  }
});

Deno.test("library: cancelCallback is polled and cancels", async () => {
  const pdd = await playbookPdd(
    "- hosts: all\n  gather_facts: false\n  tasks:\n    - command: sleep 60\n",
  );
  try {
    const t0 = Date.now();
    const runner = await run({
      privateDataDir: pdd,
      playbook: "test.yml",
      quiet: true,
      cancelCallback: () => Date.now() - t0 > 1500,
    });
    assertEquals([runner.status, runner.rc], ["canceled", 254]);
    assert(Date.now() - t0 < 6000);
  } finally {
    await cleanup(pdd);
  }
});

/** A job whose second task leaves a process in the background, then waits. */
const BACKGROUND = `- hosts: all
  gather_facts: false
  tasks:
    - ansible.builtin.shell: (HANDLER_STRAY=1 sleep 60 &); echo started
    - ansible.builtin.pause: seconds=2
    - ansible.builtin.debug: msg=after
`;

for (
  const [what, handlers, explanation, rejection] of [
    ["an eventHandler", { eventHandler: () => throwIt("event") }, "runner: event", "Error: event"],
    [
      "a statusHandler (on running)",
      { statusHandler: (s: JobStatus) => s === "running" && throwIt("status") },
      "runner: status",
      "Error: status",
    ],
    [
      "a cancelCallback",
      { cancelCallback: () => throwIt("cancel") },
      "runner: cancelCallback threw: Error: cancel",
      "Error: cancelCallback threw: Error: cancel",
    ],
  ] as const
) {
  Deno.test(`library: ${what} that throws stops the job ('error'), artifacts whole, then rejects`, async () => {
    const pdd = await playbookPdd(BACKGROUND);
    try {
      // Thrown from the second event on: the first task's background process has started.
      // Once it has thrown, it throws at every call.
      let calls = 0;
      let armed = false;
      const throwAfterStart = (f: () => unknown) => () => {
        armed ||= processesWithEnv("HANDLER_STRAY", "1").length > 0 || calls++ > 40;
        if (armed) f();
        return false;
      };
      const h = Object.fromEntries(
        Object.entries(handlers).map(([k, f]) => [
          k,
          k === "statusHandler" ? f : throwAfterStart(f as () => unknown),
        ]),
      );
      const { runner, done } = await runAsync({
        privateDataDir: pdd,
        playbook: "test.yml",
        quiet: true,
        ...h,
      });
      assertEquals(String(await done.then(() => "resolved", (e) => e)), rejection);
      assertEquals(runner.status, "error");
      const dir = join(pdd, "artifacts", runner.ident);
      assertEquals(await Deno.readTextFile(join(dir, "status")), "error");
      assertEquals(await Deno.readTextFile(join(dir, "rc")), "1");
      assertIncludes(await Deno.readTextFile(join(dir, "stdout")), explanation);
      assertEquals(processesWithEnv("HANDLER_STRAY", "1"), []);
    } finally {
      await cleanup(pdd);
    }
  });
}

Deno.test("library: a statusHandler throwing at the final status: artifacts whole, then it rejects", async () => {
  const pdd = await playbookPdd("- hosts: all\n  gather_facts: false\n  tasks:\n    - ping:\n");
  try {
    let error: unknown = null;
    await run({
      privateDataDir: pdd,
      playbook: "test.yml",
      ident: "final",
      quiet: true,
      statusHandler: (s) => s === "successful" && throwIt("at the end"),
    }).catch((e) => error = e);
    assertEquals(String(error), "Error: at the end");
    const dir = join(pdd, "artifacts", "final");
    assertEquals(await Deno.readTextFile(join(dir, "status")), "successful");
    assertEquals(await Deno.readTextFile(join(dir, "rc")), "0");
    assertIncludes(await Deno.readTextFile(join(dir, "stdout")), "PLAY RECAP");
  } finally {
    await cleanup(pdd);
  }
});

function throwIt(what: string): never {
  throw new Error(what);
}

Deno.test("library: bad input rejects with ConfigError and writes nothing", async () => {
  const pdd = await playbookPdd(PLAY, { "env/settings": "job_timeout: soon\n" });
  try {
    let err: unknown;
    await run({ privateDataDir: pdd, playbook: "test.yml" }).catch((e) => err = e);
    assert(err instanceof ConfigError);
    assertIncludes((err as Error).message, "env/settings: key 'job_timeout'");
    assert(!(await exists(join(pdd, "artifacts"))));
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("library: 20 jobs at once in one process keep their own events, stats and artifacts", async () => {
  const pdd = await playbookPdd(
    '- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: msg="job-{{ n }}"\n',
  );
  try {
    const runners = await Promise.all(
      Array.from(
        { length: 20 },
        (_, n) =>
          run({
            privateDataDir: pdd,
            playbook: "test.yml",
            ident: `par-${n}`,
            extravars: { n },
            quiet: true,
          }),
      ),
    );
    for (const [n, r] of runners.entries()) {
      assertEquals([r.ident, r.status, r.rc], [`par-${n}`, "successful", 0]);
      const texts: string[] = [];
      for await (const e of r.events()) {
        assertEquals(e.runner_ident, `par-${n}`);
        texts.push(e.stdout);
      }
      const all = texts.join("\n");
      assertIncludes(all, `"msg": "job-${n}"`);
      assertEquals((all.match(/"msg": "job-\d+"/g) ?? []).length, 1, "no other job's output");
      assertEquals((r.stats as { ok: unknown }).ok, { localhost: 1 });
      const stdout = await Deno.readTextFile(join(pdd, "artifacts", `par-${n}`, "stdout"));
      assertIncludes(stdout, `job-${n}"`);
    }
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("library: transmit → worker → processStream on in-process streams", async () => {
  const pdd = await playbookPdd(PLAY);
  const ctl = await Deno.makeTempDir();
  try {
    const toWorker = new TransformStream<Uint8Array, Uint8Array>();
    const fromWorker = new TransformStream<Uint8Array, Uint8Array>();
    const kinds: string[] = [];
    const [, outcome, result] = await Promise.all([
      transmit({ privateDataDir: pdd, playbook: "test.yml", ident: "s1" }, toWorker.writable),
      worker({ input: toWorker.readable, output: fromWorker.writable }),
      processStream({
        input: fromWorker.readable,
        artifactDir: join(ctl, "artifacts", "s1"),
        // As in ansible-runner's Processor: a false keeps that event's file out.
        eventHandler: (e) => kinds.push(e.event) > 0 && e.event !== "runner_on_start",
      }),
    ]);
    assert(outcome.ran);
    assertEquals([result.status, result.rc], ["successful", 0]);
    assertEquals(kinds[0], "playbook_on_start");
    const dir = join(ctl, "artifacts", "s1");
    assertEquals(await Deno.readTextFile(join(dir, "status")), "successful");
    const files = [...Deno.readDirSync(join(dir, "job_events"))];
    assertEquals(files.length, kinds.filter((k) => k !== "runner_on_start").length);
    assert(kinds.includes("runner_on_start"));
  } finally {
    await cleanup(pdd);
    await cleanup(ctl);
  }
});

// One argument may not pass 128 KiB: extravars that large used to keep ansible-playbook from
// starting at all ("errno 7"). They go by a file in the artifact dir, removed after the job.
Deno.test("library: extravars too large for the command line reach the play by file", async () => {
  const pdd = await playbookPdd(
    '- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: msg="size {{ big | length }}"\n',
  );
  try {
    const runner = await run({
      privateDataDir: pdd,
      playbook: "test.yml",
      ident: "big",
      quiet: true,
      extravars: { big: "x".repeat(200_000) },
    });
    assertEquals([runner.status, runner.rc], ["successful", 0]);
    const dir = join(pdd, "artifacts", "big");
    assertIncludes(await Deno.readTextFile(join(dir, "stdout")), '"msg": "size 200000"');
    const command = JSON.parse(await Deno.readTextFile(join(dir, "command"))).command;
    assertIncludes(command.join(" "), `-e @${dir}/.extravars.json`);
    assert(!await exists(join(dir, ".extravars.json")), "removed after the job");
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("library: settings given in camelCase apply (jobTimeout)", async () => {
  const pdd = await playbookPdd(
    "- hosts: all\n  gather_facts: false\n  tasks:\n    - command: sleep 60\n",
  );
  try {
    const t0 = Date.now();
    const runner = await run({
      privateDataDir: pdd,
      playbook: "test.yml",
      quiet: true,
      jobTimeout: 2,
    });
    assertEquals([runner.status, runner.rc], ["timeout", 254]);
    assert(Date.now() - t0 < 8000);
  } finally {
    await cleanup(pdd);
  }
});

// NTP's step or a VM's resume moves the wall clock by as much as it likes while a job runs:
// timeouts are measured on a clock that only goes forward. (Date.now is what the wall clock
// is to the code under test; the test steps it once the job's task runs.)
for (
  const [step, timeouts, task, expected] of [
    ["forward", { jobTimeout: 60, idleTimeout: 60 }, "sleep 2", ["successful", 0]],
    ["back", { jobTimeout: 2 }, "sleep 20", ["timeout", 254]],
  ] as const
) {
  Deno.test(`library: a wall clock stepped ${step} by an hour changes no timeout`, async () => {
    const pdd = await playbookPdd(
      `- hosts: all\n  gather_facts: false\n  tasks:\n    - command: ${task}\n`,
    );
    const wallClock = Date.now;
    try {
      const { runner, done } = await runAsync({
        privateDataDir: pdd,
        playbook: "test.yml",
        quiet: true,
        ...timeouts,
      });
      for await (const e of runner.events()) {
        if (e.event !== "playbook_on_task_start") continue;
        const hour = (step === "forward" ? 1 : -1) * 3600_000;
        Date.now = () => wallClock() + hour;
      }
      await done;
      assertEquals([runner.status, runner.rc], [...expected] as unknown[]);
    } finally {
      Date.now = wallClock;
      await cleanup(pdd);
    }
  });
}
