import { assert, assertEquals } from "../testing/assert.ts";
import { GUARD_SCRIPT } from "./job_guard.ts";
import { isAlive, JOB_MARKER_ENV, startOf } from "./process_tree.ts";

/**
 * A session like a job's: its leader and a process that cleared its environment (so it carries
 * no marker), both sleeping. `setsid` execs in place: the leader's pid is the session's.
 */
function fakeJob(tag: number): { leader: Deno.ChildProcess; stray: () => number | null } {
  const leader = new Deno.Command("setsid", {
    args: ["sh", "-c", `env -i /bin/sleep ${tag} & exec /bin/sleep ${tag + 1}`],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const stray = () => {
    for (const e of Deno.readDirSync("/proc")) {
      if (!/^\d+$/.test(e.name)) continue;
      try {
        const argv = Deno.readTextFileSync(`/proc/${e.name}/cmdline`).split("\0");
        if (argv[0] === "/bin/sleep" && argv[1] === String(tag)) return Number(e.name);
      } catch { /* gone */ }
    }
    return null;
  };
  return { leader, stray };
}

/** Kills what is left of a fake job. */
async function endJob(job: ReturnType<typeof fakeJob>): Promise<void> {
  const stray = job.stray();
  if (stray) Deno.kill(stray, "SIGKILL");
  try {
    job.leader.kill("SIGKILL");
  } catch { /* already ended */ }
  await job.leader.status;
}

/** Runs the guard for session `sid` with leader start `born`, then as if runner had died. */
async function guardAfterRunnerDies(sid: number, born: number): Promise<void> {
  const guard = new Deno.Command("/bin/sh", {
    args: [
      "-c",
      GUARD_SCRIPT,
      "runner-guard",
      `${JOB_MARKER_ENV}=${crypto.randomUUID()}`,
      String(sid),
      String(born),
    ],
    clearEnv: true,
    env: { PATH: "/usr/bin:/bin" },
    stdin: "piped",
  }).spawn();
  await guard.stdin.close(); // runner's end of the pipe: gone
  assertEquals((await guard.status).code, 0);
}

async function until(what: () => boolean, ms = 3000): Promise<boolean> {
  for (const t0 = Date.now(); Date.now() - t0 < ms; await new Promise((r) => setTimeout(r, 20))) {
    if (what()) return true;
  }
  return what();
}

Deno.test("guard: once runner is gone, what is left in the job's session dies, marker or not", async () => {
  const job = fakeJob(3181);
  try {
    assert(await until(() => job.stray() !== null), "the stray started");
    const stray = job.stray()!;
    await guardAfterRunnerDies(job.leader.pid, startOf(job.leader.pid)!);
    const timeout = new Promise<null>((r) => setTimeout(() => r(null), 3000));
    assertEquals((await Promise.race([job.leader.status, timeout]))?.signal, "SIGKILL");
    assert(await until(() => !isAlive(stray)), "the env-cleared stray is killed");
  } finally {
    await endJob(job);
  }
});

Deno.test("guard: a session number now used by another session is left alone", async () => {
  const job = fakeJob(3183);
  try {
    assert(await until(() => job.stray() !== null), "the stray started");
    // Started at another time than the job's leader: the number names some other session.
    await guardAfterRunnerDies(job.leader.pid, startOf(job.leader.pid)! + 1);
    assert(isAlive(job.leader.pid), "the other session's leader lives");
    assert(job.stray() !== null, "and so does its member");
  } finally {
    await endJob(job);
  }
});
