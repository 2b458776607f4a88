/** Background jobs: `start`, `is-alive` and `stop`, around a `pid` file in the private data dir. */
import { join, resolve } from "../runtime/path.ts";
import { ConfigError } from "../config/errors.ts";
import { prepareJob } from "../config/job_spec.ts";
import { isAlive, listProcesses, selectJobProcesses } from "../exec/process_tree.ts";
import { type JobArgs, runOptionsFromArgs } from "./run.ts";
import { selfCommand } from "./self_exec.ts";
import { sleep } from "../runtime/timer.ts";

/** Environment variable through which `start` tells its child where the pid file goes. */
export const PIDFILE_ENV = "RUNNER_DAEMON_PIDFILE";

function pidPath(pdd: string): string {
  return join(resolve(pdd), "pid");
}

function readPid(pdd: string): number | null {
  try {
    const text = Deno.readTextFileSync(pidPath(pdd)).trim();
    return /^\d+$/.test(text) ? Number(text) : null;
  } catch {
    return null;
  }
}

function touchDaemonLog(pdd: string): string {
  const path = join(resolve(pdd), "daemon.log");
  Deno.writeTextFileSync(path, "", { append: true, mode: 0o600 });
  return path;
}

/**
 * `runner start`: validates the job, starts `runner run` detached (new session), and returns
 * once the child has written its pid file.
 */
export async function startCommand(a: JobArgs, rawArgs: string[]): Promise<number> {
  let options;
  try {
    options = runOptionsFromArgs(a, Deno.env.toObject());
    await prepareJob(options, Deno.env.toObject()); // bad input fails here, not in the background
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`runner: error: ${e.message}`);
      return 1;
    }
    throw e;
  }
  const pdd = resolve(options.privateDataDir);
  const running = readPid(pdd);
  if (running !== null && isAlive(running)) {
    console.error(`runner: error: a job is already running from ${pdd} (pid ${running})`);
    return 1;
  }
  const log = touchDaemonLog(pdd);
  const args = rawArgs.map((t) => t === "start" ? "run" : t);
  const extra = ["-q", "--logfile", log];
  if (!options.ident) extra.push("-i", crypto.randomUUID());
  const argv = selfCommand([...args, ...extra]);
  const child = new Deno.Command(argv[0], {
    args: argv.slice(1),
    env: { [PIDFILE_ENV]: pidPath(pdd) },
    stdin: "null",
    stdout: "null",
    stderr: "null",
    detached: true,
  }).spawn();
  child.unref();
  for (let i = 0; i < 200; i++) {
    if (readPid(pdd) === child.pid) return 0;
    if (!isAlive(child.pid)) break;
    await sleep(25);
  }
  console.error(`runner: error: the background job did not start; see ${log}`);
  return 1;
}

/** `runner is-alive`: 0 while the background job runs, 1 otherwise. */
export function isAliveCommand(a: Record<string, unknown>): number {
  touchDaemonLog(String(a.private_data_dir));
  const pid = readPid(String(a.private_data_dir));
  return pid !== null && isAlive(pid) ? 0 : 1;
}

/**
 * `runner stop`: cancels the background job as SIGTERM does (the daemon kills the job's whole
 * tree and records `canceled`, rc 254); if the daemon does not end, kills it and its tree.
 */
export async function stopCommand(a: Record<string, unknown>): Promise<number> {
  const pdd = String(a.private_data_dir);
  touchDaemonLog(pdd);
  const pid = readPid(pdd);
  if (pid === null) {
    console.error(`runner: error: no pid file in ${resolve(pdd)}: no background job`);
    return 1;
  }
  if (isAlive(pid)) {
    try {
      Deno.kill(pid, "SIGTERM");
    } catch { /* gone meanwhile */ }
    for (let i = 0; i < 300 && isAlive(pid); i++) await sleep(50);
    if (isAlive(pid)) killTree(pid);
  }
  await Deno.remove(pidPath(pdd)).catch(() => {});
  return 0;
}

/** Last resort: SIGKILL a daemon and every descendant. */
function killTree(pid: number): void {
  for (const p of selectJobProcesses(listProcesses(), { sid: pid, self: Deno.pid })) {
    try {
      Deno.kill(p, "SIGKILL");
    } catch { /* gone */ }
  }
}
