/** End-to-end: `start`, `is-alive`, `stop`, from source and from the bundle outside the repo. */
import { join } from "node:path";
import { assert, assertEquals } from "../src/testing/assert.ts";
import { buildBundle, cleanup, exists, playbookPdd, processesWithEnv, runner } from "./helpers.ts";

const SLOW = `- hosts: all
  gather_facts: false
  tasks:
    - ansible.builtin.shell: (sleep 305 &) ; sleep 306
`;

async function waitFor(cond: () => Promise<boolean> | boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

async function startStop(entry?: string, cwd?: string) {
  const pdd = await playbookPdd(SLOW);
  try {
    const t0 = performance.now();
    const s = await runner(["start", pdd, "-p", "test.yml", "-i", "bg"], { entry, cwd });
    assertEquals(s.code, 0, s.stderr);
    assert(performance.now() - t0 < 5000, "start returns at once");
    assert(/^\d+$/.test((await Deno.readTextFile(join(pdd, "pid"))).trim()));
    assertEquals((await Deno.stat(join(pdd, "daemon.log"))).mode! & 0o777, 0o600);
    // A script may give is-alive and stop the flags it gave start, as ansible-runner accepts.
    assertEquals(
      (await runner(["is-alive", pdd, "-p", "test.yml", "-i", "bg"], { entry, cwd })).code,
      0,
    );
    const cmd = join(pdd, "artifacts", "bg", "command");
    assert(await waitFor(() => exists(cmd), 10_000));
    const env = JSON.parse(await Deno.readTextFile(cmd)).env;
    const marker = env.RUNNER_JOB_MARKER;
    assertEquals(env.RUNNER_DAEMON_PIDFILE, undefined, "start's word to runner is not the job's");
    assert(await waitFor(() => processesWithEnv("RUNNER_JOB_MARKER", marker).length >= 2, 10_000));

    // Named through a symlink, the dir is still the job's.
    const link = `${pdd}-link`;
    await Deno.symlink(pdd, link);
    const stop = await runner(["stop", link, "-i", "bg"], { entry, cwd });
    await Deno.remove(link);
    assertEquals(stop.code, 0, stop.stderr);
    assertEquals(
      processesWithEnv("RUNNER_JOB_MARKER", marker),
      [],
      "ansible-playbook and the task's processes are gone",
    );
    assertEquals(await Deno.readTextFile(join(pdd, "artifacts", "bg", "status")), "canceled");
    assertEquals(await Deno.readTextFile(join(pdd, "artifacts", "bg", "rc")), "254");
    assert(!(await exists(join(pdd, "pid"))), "pid file removed");
    assertEquals((await runner(["is-alive", pdd], { entry, cwd })).code, 1);
    assertEquals((await runner(["stop", pdd], { entry, cwd })).code, 1, "nothing left to stop");
  } finally {
    await cleanup(pdd);
  }
}

Deno.test("daemon: start returns at once; is-alive; stop kills the whole tree (from source)", async () => {
  await startStop();
});

Deno.test("daemon: the same from the bundle, started outside the repo", async () => {
  const dir = await Deno.makeTempDir({ prefix: "runner_bundle_daemon_" });
  try {
    await buildBundle(join(dir, "runner.js"));
    await startStop(join(dir, "runner.js"), dir);
  } finally {
    await cleanup(dir);
  }
});

Deno.test("daemon: a job that finishes removes its pid file; bad input fails start itself", async () => {
  const pdd = await playbookPdd(
    "- hosts: all\n  gather_facts: false\n  tasks: [{debug: {msg: quick}}]\n",
  );
  try {
    assertEquals((await runner(["start", pdd, "-p", "test.yml", "-i", "q"])).code, 0);
    assert(await waitFor(() => Deno.stat(join(pdd, "pid")).then(() => false, () => true), 15_000));
    assertEquals(await Deno.readTextFile(join(pdd, "artifacts", "q", "status")), "successful");
    const bad = await runner(["start", pdd, "-p", "missing.yml"]);
    assertEquals(bad.code, 1);
    assert(bad.stderr.includes("does not exist"));
  } finally {
    await cleanup(pdd);
  }
});

// A runner killed outright leaves its pid file; that pid may since name another process, which
// `stop` would have killed with its whole session (ansible-runner's stop does).
Deno.test("daemon: a stale pid file naming another process: not alive, nothing killed", async () => {
  const pdd = await playbookPdd(
    "- hosts: all\n  gather_facts: false\n  tasks: [{debug: {msg: quick}}]\n",
  );
  const other = new Deno.Command("setsid", { args: ["sleep", "307"] }).spawn();
  try {
    await Deno.writeTextFile(join(pdd, "pid"), `${other.pid}\n`);
    assertEquals((await runner(["is-alive", pdd])).code, 1);
    const stop = await runner(["stop", pdd]);
    assertEquals(stop.code, 0, stop.stderr);
    assert(!(await exists(join(pdd, "pid"))), "the stale pid file is removed");
    assert(processAlive(other.pid), "the other process lives on");
    await Deno.writeTextFile(join(pdd, "pid"), `${other.pid}\n`);
    const start = await runner(["start", pdd, "-p", "test.yml", "-i", "s"]);
    assertEquals(start.code, 0, start.stderr);
    assert(await waitFor(() => exists(join(pdd, "artifacts", "s", "status")), 15_000));
  } finally {
    other.kill("SIGKILL");
    await other.status;
    await cleanup(pdd);
  }
});

function processAlive(pid: number): boolean {
  try {
    return !Deno.readTextFileSync(`/proc/${pid}/stat`).includes(") Z ");
  } catch {
    return false;
  }
}
