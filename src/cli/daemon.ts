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

/**
 * The pid of the background job of `pdd` while it runs, else null. The pid file alone is not
 * enough: a runner killed outright leaves it, and its pid may since name another process (which
 * `stop` would then kill, with its whole session). The job's runner carries the pid file's path
 * in its environment, as `start` gave it (compared as files: the dir may be named through a
 * symlink).
 */
function runningJob(pdd: string): number | null {
  const pid = readPid(pdd);
  if (pid === null || !isAlive(pid)) return null;
  let environ: Uint8Array;
  try {
    environ = Deno.readFileSync(`/proc/${pid}/environ`);
  } catch {
    return pid; // another user's: only the pid file to go by
  }
  const prefix = `${PIDFILE_ENV}=`;
  const given = new TextDecoder().decode(environ).split("\0").find((v) => v.startsWith(prefix));
  return given && sameFile(given.slice(prefix.length), pidPath(pdd)) ? pid : null;
}

/** Whether two paths name one file (through symlinks or not). */
function sameFile(a: string, b: string): boolean {
  try {
    const [x, y] = [Deno.statSync(a), Deno.statSync(b)];
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
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
  const running = runningJob(pdd);
  if (running !== null) {
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
  return runningJob(String(a.private_data_dir)) !== null ? 0 : 1;
}

/**
 * `runner stop`: cancels the background job as SIGTERM does (the daemon kills the job's whole
 * tree and records `canceled`, rc 254); if the daemon does not end, kills it and its tree.
 */
export async function stopCommand(a: Record<string, unknown>): Promise<number> {
  const pdd = String(a.private_data_dir);
  touchDaemonLog(pdd);
  if (readPid(pdd) === null) {
    console.error(`runner: error: no pid file in ${resolve(pdd)}: no background job`);
    return 1;
  }
  // A pid file that names no job of ours (stale) is removed, and nothing is signalled.
  const pid = runningJob(pdd);
  if (pid !== null) {
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
