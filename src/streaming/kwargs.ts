/**
 * The `kwargs` message: job options in ansible-runner's Python names, as `transmit` sends them
 * and `worker` reads them. Only keys Python's `ansible_runner.run()` accepts are sent, so a
 * Python worker can take our stream.
 */
import { pythonStr } from "../config/py_scalars.ts";
import { isAbsolute, join } from "../runtime/path.ts";
import { ConfigError } from "../config/errors.ts";
import type { RunOptions } from "../config/options.ts";

/** RunOptions → kwargs with every key ansible-runner's transmit sends (null when unset). */
export function kwargsFromOptions(o: RunOptions): Record<string, unknown> {
  const kw: Record<string, unknown> = {
    ident: o.ident ?? crypto.randomUUID().replaceAll("-", ""),
    binary: o.binary ?? null,
    playbook: o.playbook ?? null,
    module: o.module ?? null,
    module_args: o.moduleArgs ?? null,
    host_pattern: o.hosts ?? null,
    verbosity: o.verbosity || null,
    quiet: !!o.quiet,
    rotate_artifacts: o.rotateArtifacts ?? 0,
    json_mode: !!o.json,
    omit_event_data: !!o.omitEventData,
    only_failed_event_data: !!o.onlyFailedEventData,
    inventory: o.inventory ?? null,
    forks: o.forks ?? null,
    project_dir: o.projectDir ?? null,
    artifact_dir: o.artifactDir ?? null,
    roles_path: o.rolesPath ? [o.rolesPath] : null,
    cmdline: o.cmdline ?? null,
    limit: o.limit ?? null,
    suppress_env_files: !!o.omitEnvFiles,
    tags: o.tags ?? null,
    skip_tags: o.skipTags ?? null,
    process_isolation: o.processIsolation ?? null,
    process_isolation_executable: o.processIsolationExecutable ?? null,
    process_isolation_path: o.processIsolationPath ?? null,
    process_isolation_hide_paths: o.processIsolationHidePaths ?? null,
    process_isolation_show_paths: o.processIsolationShowPaths ?? null,
    process_isolation_ro_paths: o.processIsolationRoPaths ?? null,
    directory_isolation_base_path: o.directoryIsolationBasePath ?? null,
    container_image: o.containerImage ?? null,
    container_volume_mounts: o.containerVolumeMounts ?? null,
    container_options: o.containerOptions ?? null,
  };
  if (o.envvars) kw.envvars = o.envvars;
  if (o.extravars) kw.extravars = o.extravars;
  if (o.passwords) kw.passwords = o.passwords;
  // Profiling has no kwarg in ansible-runner 2.x: it travels as settings (the 1.4 names).
  const profiling = Object.fromEntries(
    Object.entries({
      resource_profiling: o.resourceProfiling,
      resource_profiling_base_cgroup: o.resourceProfilingBaseCgroup,
      resource_profiling_cpu_poll_interval: o.resourceProfilingCpuPollInterval,
      resource_profiling_memory_poll_interval: o.resourceProfilingMemoryPollInterval,
      resource_profiling_pid_poll_interval: o.resourceProfilingPidPollInterval,
    }).filter(([, v]) => v !== undefined),
  );
  if (o.settings || Object.keys(profiling).length) kw.settings = { ...o.settings, ...profiling };
  if (o.sshKey) kw.ssh_key = o.sshKey;
  if (o.timeout) kw.timeout = o.timeout;
  return kw;
}

type Check = (v: unknown) => boolean;
const isStr: Check = (v) => typeof v === "string";
const isInt: Check = (v) => Number.isSafeInteger(v) && (v as number) >= 0;
const isBool: Check = (v) => typeof v === "boolean";
const isMap: Check = (v) => typeof v === "object" && v !== null && !Array.isArray(v);
const isStrList: Check = (v) => Array.isArray(v) && v.every(isStr);

const KNOWN: Record<string, Check> = {
  // AWX sends its job's database id, a number; ansible-runner formats it into the dir name.
  ident: (v) => isStr(v) || Number.isSafeInteger(v),
  binary: isStr,
  playbook: isStr,
  module: isStr,
  module_args: isStr,
  host_pattern: isStr,
  verbosity: isInt,
  quiet: isBool,
  rotate_artifacts: isInt,
  json_mode: isBool,
  omit_event_data: isBool,
  only_failed_event_data: isBool,
  inventory: (v) => isStr(v) || isStrList(v),
  // ansible-runner's --forks has no type: its transmit sends the digits as a string.
  forks: (v) => isInt(v) || (isStr(v) && /^\d+$/.test(v as string)),
  project_dir: isStr,
  artifact_dir: isStr,
  roles_path: (v) => isStr(v) || isStrList(v),
  cmdline: isStr,
  limit: isStr,
  suppress_env_files: isBool,
  envvars: isMap,
  extravars: isMap,
  passwords: isMap,
  settings: isMap,
  ssh_key: isStr,
  timeout: isInt,
  // How the worker isolates the job (AWX asks an execution node for its execution environment
  // this way). A container image alone, as ansible-runner's CLI transmit always sends one,
  // isolates nothing.
  process_isolation: isBool,
  process_isolation_executable: isStr,
  process_isolation_path: isStr,
  process_isolation_hide_paths: (v) => isStr(v) || isStrList(v),
  process_isolation_show_paths: (v) => isStr(v) || isStrList(v),
  process_isolation_ro_paths: (v) => isStr(v) || isStrList(v),
  directory_isolation_base_path: isStr,
  container_image: isStr,
  container_volume_mounts: isStrList,
  container_options: isStrList,
  tags: isStr,
  skip_tags: isStr,
  // Python's own parameters that runner keeps as settings.
  fact_cache: isStr,
  fact_cache_type: isStr,
  container_auth_data: isMap,
};

/**
 * Keys a worker accepts but that describe the controller's side, not the job, or that
 * ansible-runner itself overrides (its settings decide `suppress_*`).
 */
const IGNORED = new Set([
  "host_cwd",
  "check_job_event_data",
  "suppress_output_file",
  "suppress_ansible_output",
  "json_mode",
  "quiet",
  "artifact_dir",
  "project_dir",
]);

/** The settings a job gets: kwargs' `settings`, with Python's own fact cache and registry
 * parameters among them unless the settings give them. */
function withKwargSettings(v: Record<string, unknown>): Record<string, unknown> | undefined {
  const own = Object.fromEntries(
    ["fact_cache", "fact_cache_type", "container_auth_data"].filter((k) => v[k] !== undefined)
      .map((k) => [k, v[k]]),
  );
  const settings = v.settings as Record<string, unknown> | undefined;
  return Object.keys(own).length ? { ...own, ...settings } : settings;
}

/**
 * kwargs → RunOptions for a job in the worker's private data dir. Null values mean unset.
 * Returns warnings for unknown keys; throws ConfigError on a wrong type.
 */
export function optionsFromKwargs(
  kw: Record<string, unknown>,
  pdd: string,
): { options: RunOptions; warnings: string[] } {
  const warnings: string[] = [];
  const v: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(kw)) {
    if (value === null || value === undefined) continue;
    const check = KNOWN[key];
    if (!check) {
      if (!IGNORED.has(key)) warnings.push(`kwargs: unknown key '${key}' ignored`);
      continue;
    }
    if (!check(value)) throw new ConfigError(`wrong type (${typeof value})`, "kwargs", key);
    v[key] = value;
  }
  const first = (x: unknown) => Array.isArray(x) ? x[0] as string : x as string | undefined;
  const strList = (x: unknown) => typeof x === "string" ? [x] : x as string[] | undefined;
  const inventory = first(v.inventory);
  const rolesPath = first(v.roles_path);
  const inside = (p: string | undefined) => p === undefined || isAbsolute(p) ? p : join(pdd, p);
  const options: RunOptions = {
    privateDataDir: pdd,
    ident: v.ident === undefined ? undefined : String(v.ident),
    binary: v.binary as string | undefined,
    playbook: v.playbook as string | undefined,
    module: v.module as string | undefined,
    moduleArgs: v.module_args as string | undefined,
    hosts: v.host_pattern as string | undefined,
    verbosity: v.verbosity as number | undefined,
    rotateArtifacts: v.rotate_artifacts as number | undefined,
    omitEventData: v.omit_event_data as boolean | undefined,
    onlyFailedEventData: v.only_failed_event_data as boolean | undefined,
    inventory: inside(inventory),
    forks: v.forks === undefined ? undefined : Number(v.forks),
    rolesPath: inside(rolesPath),
    cmdline: v.cmdline as string | undefined,
    limit: v.limit as string | undefined,
    omitEnvFiles: v.suppress_env_files as boolean | undefined,
    envvars: v.envvars as Record<string, string> | undefined,
    extravars: v.extravars as Record<string, unknown> | undefined,
    passwords: v.passwords as Record<string, string> | undefined,
    settings: withKwargSettings(v),
    tags: v.tags as string | undefined,
    skipTags: v.skip_tags as string | undefined,
    sshKey: v.ssh_key as string | undefined,
    timeout: v.timeout as number | undefined,
    quiet: true,
    processIsolation: v.process_isolation as boolean | undefined,
    processIsolationExecutable: v.process_isolation_executable as string | undefined,
    processIsolationPath: v.process_isolation_path as string | undefined,
    processIsolationHidePaths: strList(v.process_isolation_hide_paths),
    processIsolationShowPaths: strList(v.process_isolation_show_paths),
    processIsolationRoPaths: strList(v.process_isolation_ro_paths),
    directoryIsolationBasePath: v.directory_isolation_base_path as string | undefined,
    containerImage: v.container_image as string | undefined,
    containerVolumeMounts: v.container_volume_mounts as string[] | undefined,
    containerOptions: v.container_options as string[] | undefined,
  };
  if (options.envvars) {
    options.envvars = Object.fromEntries(
      // Python's str() of each, as ansible-runner's worker makes them text (true is True).
      Object.entries(options.envvars).map(([k, x]) => [k, pythonStr(x) ?? String(x)]),
    );
    // As ansible-runner's worker does: a transmitted roles path is relative to roles/.
    if (options.envvars.ANSIBLE_ROLES_PATH !== undefined) {
      options.envvars.ANSIBLE_ROLES_PATH = join(pdd, "roles", options.envvars.ANSIBLE_ROLES_PATH);
    }
  }
  return { options, warnings };
}
