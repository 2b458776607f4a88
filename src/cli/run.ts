/** `runner run`: one job in the foreground; exit status is the job's rc. */
import { ConfigError } from "../config/errors.ts";
import { prepareJob } from "../config/job_spec.ts";
import { checkInventoryFlag } from "../config/inventory_path.ts";
import type { RunOptions } from "../config/options.ts";
import { executeJob } from "../job/execute.ts";
import { ConsoleSink } from "../sinks/console.ts";
import type { JobSink } from "../sinks/sink.ts";
import { PIDFILE_ENV } from "./daemon.ts";
import { makeLogger } from "./log.ts";
import { onCancelSignals } from "./cancel_signals.ts";

/** Parsed flags of a job command (the namespace parseArgs makes). */
export type JobArgs = Record<string, unknown>;

function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

function list(v: unknown): string[] | undefined {
  return Array.isArray(v) ? v.map(String) : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === "number" ? v : undefined;
}

/**
 * Maps parsed flags (and RUNNER_* defaults) to RunOptions. Throws ConfigError for an
 * `--inventory` that names nothing (see checkInventoryFlag), and for `--hosts` without a module
 * or role: ansible-runner's command line refuses it there, and a job that ignored it would run
 * on every host of the inventory, not the few the operator named.
 */
export function runOptionsFromArgs(a: JobArgs, env: Record<string, string>): RunOptions {
  checkInventoryFlag(String(a.private_data_dir), str(a.inventory));
  const explicit = str(a.playbook) ?? str(a.module) ?? str(a.role) ?? str(a.binary);
  const role = str(a.role) ?? (explicit ? undefined : str(env.RUNNER_ROLE));
  const module = str(a.module) ?? (explicit ? undefined : str(env.RUNNER_MODULE));
  if (str(a.hosts) && !module && !role) {
    throw new ConfigError(
      "--hosts applies only to -m/--module and -r/--role; with a playbook, use --limit",
    );
  }
  return {
    privateDataDir: String(a.private_data_dir),
    ident: str(a.ident),
    playbook: str(a.playbook) ?? (explicit ? undefined : str(env.RUNNER_PLAYBOOK)),
    module,
    role,
    binary: str(a.binary) ?? (explicit ? undefined : str(env.RUNNER_BINARY)),
    moduleArgs: typeof a.module_args === "string" ? a.module_args : undefined,
    hosts: str(a.hosts),
    // As ansible-runner's command line, a role's roles path defaults to the environment's
    // (other jobs get that from the environment itself).
    rolesPath: str(a.roles_path) ?? (role ? str(env.ANSIBLE_ROLES_PATH) : undefined),
    roleVars: str(a.role_vars),
    roleSkipFacts: !!a.role_skip_facts,
    limit: str(a.limit),
    cmdline: typeof a.cmdline === "string" ? a.cmdline : undefined,
    forks: typeof a.forks === "number" ? a.forks : undefined,
    verbosity: typeof a.verbosity === "number" ? a.verbosity : 0,
    inventory: str(a.inventory),
    projectDir: str(a.project_dir),
    artifactDir: str(a.artifact_dir),
    rotateArtifacts: typeof a.rotate_artifacts === "number" ? a.rotate_artifacts : 0,
    json: !!a.json,
    quiet: !!a.quiet,
    omitEventData: !!a.omit_event_data,
    onlyFailedEventData: !!a.only_failed_event_data,
    omitEnvFiles: !!a.omit_env_files,
    processIsolation: a.process_isolation ? true : undefined,
    processIsolationExecutable: str(a.process_isolation_executable),
    processIsolationPath: str(a.process_isolation_path),
    processIsolationHidePaths: list(a.process_isolation_hide_paths),
    processIsolationShowPaths: list(a.process_isolation_show_paths),
    processIsolationRoPaths: list(a.process_isolation_ro_paths),
    directoryIsolationBasePath: str(a.directory_isolation_base_path),
    containerImage: str(a.container_image),
    containerVolumeMounts: list(a.container_volume_mount),
    containerOptions: list(a.container_option),
    resourceProfiling: a.resource_profiling ? true : undefined,
    resourceProfilingBaseCgroup: str(a.resource_profiling_base_cgroup),
    resourceProfilingCpuPollInterval: num(a.resource_profiling_cpu_poll_interval),
    resourceProfilingMemoryPollInterval: num(a.resource_profiling_memory_poll_interval),
    resourceProfilingPidPollInterval: num(a.resource_profiling_pid_poll_interval),
    resourceProfilingResultsDir: str(a.resource_profiling_results_dir),
  };
}

/** Runs the command; resolves to the process exit code. */
export async function runCommand(a: JobArgs): Promise<number> {
  const log = makeLogger({ debug: !!a.debug, logfile: str(a.logfile) });
  const env = Deno.env.toObject();
  // `start`'s word to its background runner, not the job's (nor its `command` record's).
  const pidfile = env[PIDFILE_ENV];
  delete env[PIDFILE_ENV];
  let spec;
  try {
    spec = await prepareJob(runOptionsFromArgs(a, env), env);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`runner: error: ${e.message}`);
      log.close();
      return 1;
    }
    throw e;
  }
  for (const w of spec.warnings) console.error(`runner: warning: ${w}`);

  // As a background job (`runner start`), own the pid file for as long as the job runs.
  if (pidfile) Deno.writeTextFileSync(pidfile, String(Deno.pid), { mode: 0o600 });
  const controller = new AbortController();
  const stopListening = onCancelSignals(() => controller.abort());
  const after: JobSink[] = [];
  if (!spec.quiet) {
    after.push(new ConsoleSink({ json: spec.json, stripAnsi: spec.settings.suppress_ansi_output }));
  }
  try {
    const result = await executeJob(spec, {
      after,
      signal: controller.signal,
      log: log.write,
      adopts: true, // nothing else runs in this process
    });
    log.write(`job ${result.ident} ended: ${result.status} rc=${result.rc}`);
    if (result.status === "error" && result.explanation) console.error(result.explanation);
    return result.rc;
  } catch (e) {
    if (e instanceof ConfigError) { // an artifact dir that cannot be made: nothing ran
      console.error(`runner: error: ${e.message}`);
      return 1;
    }
    log.write(`runner: ${(e as Error).stack ?? e}`);
    throw e;
  } finally {
    if (pidfile) Deno.removeSync(pidfile);
    stopListening();
    log.close();
  }
}
