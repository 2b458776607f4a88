import { assert, assertEquals } from "../testing/assert.ts";
import { runProcess } from "./job_process.ts";
import { JOB_MARKER_ENV } from "./process_tree.ts";

function alive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

Deno.test("runProcess: an error thrown by onStart ends the job before it goes on", async () => {
  const marker = crypto.randomUUID();
  let jobPid = 0;
  const run = runProcess({
    file: "/bin/sleep",
    argv: ["sleep", "60"],
    env: { PATH: "/usr/bin:/bin", [JOB_MARKER_ENV]: marker },
    cwd: "/",
    prompts: [],
    idleTimeout: null,
    jobTimeout: null,
    marker,
    onOutput: () => {},
    onStart: (pid) => {
      jobPid = pid;
      throw new Error("cannot record the start");
    },
  });
  let thrown: unknown = null;
  try {
    await run;
  } catch (e) {
    thrown = e;
  }
  assertEquals((thrown as Error)?.message, "cannot record the start");
  assert(jobPid > 0 && !alive(jobPid), "the job is killed and reaped");
});
