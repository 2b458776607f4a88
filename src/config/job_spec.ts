/**
 * Turns run options and the private data dir into one validated, immutable JobSpec:
 * argv, environment, cwd and artifact locations. Reads inputs; writes nothing.
 */
import { isAbsolute, join, resolve } from "../runtime/path.ts";
import { ConfigError } from "./errors.ts";
import { type EnvInputs, loadEnvInputs } from "./env_files.ts";
import type { RunOptions } from "./options.ts";
import { type Settings, validateSettings } from "./settings.ts";
import { pythonStr } from "./py_scalars.ts";
import { rolePlaybook } from "./role_playbook.ts";
import { findInventory } from "./inventory_path.ts";
import {
  type ContainerOptions,
  existingDir,
  isolationSpec,
  type SandboxOptions,
} from "./isolation_spec.ts";
import { existsSync, isDir } from "../runtime/fs_sync.ts";
import { shlexSplit } from "./shlex.ts";
import type { PromptRule } from "../exec/expect.ts";
import { compilePythonRegex } from "./py_regex.ts";
import { JOB_MARKER_ENV } from "../exec/process_tree.ts";
import type { HttpEmitterConfig } from "../sinks/http.ts";
import { pythonCoercedCtype } from "./locale.ts";
import { localeAvailable } from "../exec/libc.ts";

/** What kind of program the job runs. */
export type ExecutionMode = "playbook" | "module" | "binary";

/** A playbook runner writes for `--role` and removes afterwards. */
export interface GeneratedPlaybook {
  path: string;
  content: string;
}

/** Everything needed to run one job. */
export interface JobSpec {
  ident: string;
  mode: ExecutionMode;
  privateDataDir: string;
  /** `<artifact base>/<ident>`. */
  artifactDir: string;
  artifactBase: string;
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  prompts: PromptRule[];
  secrets: string[];
  sshKey: string | null;
  settings: Settings;
  /** extravars that came from a named pipe: written to the artifact dir, passed by path. */
  extravarsCopy: { path: string; text: string } | null;
  /**
   * Given extravars too large for one argument: written to the artifact dir for the job's
   * length, passed by path.
   */
  extravarsFile: { path: string; text: string } | null;
  generatedPlaybook: GeneratedPlaybook | null;
  /** The jsonfile fact cache's dir, made 0700 before the job (null: another cache type, or a
   * program that is not Ansible). */
  factCacheDir: string | null;
  idleTimeout: number | null;
  jobTimeout: number | null;
  rotateArtifacts: number;
  json: boolean;
  quiet: boolean;
  /** Marker put in the job's environment to find its processes. */
  marker: string;
  warnings: string[];
  /** The HTTP status/event emitter, when configured. */
  http: HttpEmitterConfig | null;
  /** Resource profiling, when asked for. */
  profiling: ProfilingSpec | null;
  /** Directory isolation: the base under which the project is copied. */
  directoryIsolation: { base: string; cleanup: boolean } | null;
  /** Process isolation with bubblewrap. */
  sandbox: SandboxOptions | null;
  /** Execution in a container. */
  container: ContainerOptions | null;
  /** The project dir (copied for directory isolation). */
  projectDir: string;
  /** runner's own variables and env/envvars, without the host environment. */
  ownEnv: Record<string, string>;
}

/** What resource profiling needs. */
export interface ProfilingSpec {
  baseCgroup: string;
  resultsDir: string;
  intervals: { cpu: number; memory: number; pids: number };
}

/** Variables runner itself sets for a job. */
const RUNNER_VARS = [
  "ORIGINAL_STDOUT_CALLBACK",
  "ANSIBLE_LOAD_CALLBACK_PLUGINS",
  "AD_HOC_COMMAND_ID",
  "ANSIBLE_STDOUT_CALLBACK",
  "ANSIBLE_RETRY_FILES_ENABLED",
  "ANSIBLE_HOST_KEY_CHECKING",
  "AWX_ISOLATED_DATA_DIR",
  "ANSIBLE_CACHE_PLUGIN",
  "ANSIBLE_CACHE_PLUGIN_CONNECTION",
  "ANSIBLE_ROLES_PATH",
  "RUNNER_OMIT_EVENTS",
  "RUNNER_ONLY_FAILED_EVENTS",
  "PYTHONUNBUFFERED",
  JOB_MARKER_ENV,
];

/** Given extravars whose JSON reaches this many bytes go by file, not on the command line. */
const MAX_EXTRAVARS_ARG = 100_000;

const IDENT_RE = /^[A-Za-z0-9_.@:+-][A-Za-z0-9_.@:+ -]*$/;

/** Builds the JobSpec; throws ConfigError naming the file, key or flag on bad input. */
export async function prepareJob(
  opts: RunOptions,
  baseEnv: Record<string, string>,
): Promise<JobSpec> {
  const pdd = resolve(opts.privateDataDir);
  if (!isDir(pdd)) {
    throw new ConfigError(`private data dir ${pdd} does not exist or is not a directory`);
  }
  // Ansible refuses fewer than one fork, but only once the job has started.
  if (opts.forks !== undefined && !(Number.isInteger(opts.forks) && opts.forks >= 1)) {
    throw new ConfigError(`must be a whole number, 1 or more; got ${opts.forks}`, "--forks");
  }
  // ansible-runner takes a negative count as 0 (keep all); it is more likely a slip.
  const rotate = opts.rotateArtifacts ?? 0;
  if (!(Number.isInteger(rotate) && rotate >= 0)) {
    throw new ConfigError(
      `must be a whole number, 0 (keep all) or more; got ${rotate}`,
      "--rotate-artifacts",
    );
  }
  const ident = opts.ident ?? crypto.randomUUID();
  if (!IDENT_RE.test(ident) || ident === "." || ident === "..") {
    throw new ConfigError(
      `'${ident}' cannot name a directory (use letters, digits, . _ - @ : + and inner spaces)`,
      "--ident",
    );
  }
  const inputs: EnvInputs = await loadEnvInputs(pdd);
  for (const [pattern, value] of Object.entries(opts.passwords ?? {})) {
    const answer = pythonStr(value) ?? String(value); // as ansible-runner's str() of it
    try {
      inputs.prompts.push({ pattern: compilePythonRegex(pattern), answer });
    } catch (e) {
      throw new ConfigError(
        `not a valid regular expression: ${(e as Error).message}`,
        "passwords",
        pattern,
      );
    }
    if (answer.length) inputs.secrets.push(answer);
  }
  if (opts.sshKey) {
    inputs.sshKey = opts.sshKey;
    for (const line of opts.sshKey.split(/\r?\n/)) if (line.length >= 16) inputs.secrets.push(line);
  }
  const settings: Settings = { ...inputs.settings };
  if (opts.settings) Object.assign(settings, validateSettings(opts.settings, "settings").settings);

  const modes = [opts.playbook && "playbook", opts.module && "module", opts.role && "role"]
    .filter(Boolean);
  if (modes.length > 1) {
    throw new ConfigError(
      `only one of playbook, module and role may be given (got ${modes.join(", ")})`,
    );
  }
  // A binary replaces the program; ansible-runner's command line wants -p, -m or -r beside it,
  // and then passes on neither the playbook nor the module (its "raw" mode).
  if (modes.length === 0 && !opts.binary) {
    throw new ConfigError(
      "nothing to run: give -p/--playbook, -m/--module, -r/--role or -b/--binary",
    );
  }
  if (opts.module && !opts.binary && !opts.hosts) {
    throw new ConfigError("-m/--module needs --hosts");
  }
  const warnings: string[] = [];
  // ansible-runner ignores it too; its transmit even sends it beside a role's playbook.
  if (opts.hosts && !opts.module && !opts.role) {
    warnings.push("--hosts applies only to -m/--module and -r/--role: ignored");
  }

  const artifactBase = resolve(opts.artifactDir ?? join(pdd, "artifacts"));
  const artifactDir = join(artifactBase, ident);
  const projectDir = resolve(opts.projectDir ?? join(pdd, "project"));
  const projectExists = isDir(projectDir);

  // Python's own coercion of a C locale reaches ansible-runner's jobs: see locale.ts.
  const ctype = pythonCoercedCtype(baseEnv, localeAvailable);
  const inherited = ctype ? { ...baseEnv, LC_CTYPE: ctype } : baseEnv;
  const env: Record<string, string> = { ...inherited, ...inputs.envvars, ...(opts.envvars ?? {}) };
  const marker = crypto.randomUUID();
  const mode: ExecutionMode = opts.binary ? "binary" : opts.module ? "module" : "playbook";

  let generatedPlaybook: GeneratedPlaybook | null = null;
  let playbook = opts.playbook;
  if (opts.role) {
    const { name, content } = rolePlaybook(opts);
    generatedPlaybook = { path: join(projectDir, name), content };
    playbook = generatedPlaybook.path; // absolute, as ansible-runner passes it (events name it)
    env.ANSIBLE_ROLES_PATH = resolve(opts.rolesPath ?? join(pdd, "roles"));
  } else if (opts.rolesPath) {
    env.ANSIBLE_ROLES_PATH = resolve(opts.rolesPath);
  }
  if (playbook && !generatedPlaybook && mode === "playbook") {
    const pbPath = isAbsolute(playbook) ? playbook : join(projectDir, playbook);
    if (!existsSync(pbPath)) {
      throw new ConfigError(`playbook ${pbPath} does not exist`, "--playbook");
    }
  }

  // Inventory: explicit path (absolute, or under inventory/, or from here), else a host list
  // such as "host1,host2,"; without it, inventory/ if present.
  let inventory: string | null = null;
  if (opts.inventory) {
    inventory = findInventory(pdd, opts.inventory) ?? opts.inventory;
  } else if (existsSync(join(pdd, "inventory"))) {
    inventory = join(pdd, "inventory");
  }

  let cmdline = inputs.cmdline ?? [];
  if (opts.cmdline !== undefined) {
    try {
      cmdline = shlexSplit(opts.cmdline);
    } catch (e) {
      throw new ConfigError((e as Error).message, "--cmdline");
    }
  }

  let extravarsCopy: JobSpec["extravarsCopy"] = null;
  const argv: string[] = [opts.binary ?? (opts.module ? "ansible" : "ansible-playbook")];
  argv.push(...cmdline);
  if (inventory) argv.push("-i", inventory);
  if (opts.limit) argv.push("--limit", opts.limit);
  if (inputs.extravars) {
    if (inputs.extravars.fromPipe) {
      extravarsCopy = { path: join(artifactDir, "extravars"), text: inputs.extravars.text };
      argv.push("-e", `@${extravarsCopy.path}`);
    } else {
      argv.push("-e", `@${inputs.extravars.path}`);
    }
  }
  let extravarsFile: JobSpec["extravarsFile"] = null;
  if (opts.extravars && Object.keys(opts.extravars).length) {
    const json = JSON.stringify(opts.extravars);
    // One argument may not pass 128 KiB (Linux's MAX_ARG_STRLEN): the program would not start.
    if (new TextEncoder().encode(json).length < MAX_EXTRAVARS_ARG) argv.push("-e", json);
    else {
      extravarsFile = { path: join(artifactDir, ".extravars.json"), text: json };
      argv.push("-e", `@${extravarsFile.path}`);
    }
  }
  if (opts.verbosity) argv.push(`-${"v".repeat(opts.verbosity)}`);
  if (opts.tags) argv.push("--tags", opts.tags);
  if (opts.skipTags) argv.push("--skip-tags", opts.skipTags);
  if (opts.forks) argv.push("--forks", String(opts.forks));
  if (mode === "playbook" && playbook) argv.push(playbook);
  if (mode === "module") {
    argv.push("-m", opts.module!);
    if (opts.moduleArgs !== undefined) argv.push("-a", opts.moduleArgs);
    argv.push(opts.hosts!);
  }

  // The runner's own variables, as ansible-runner sets them.
  if (env.ANSIBLE_STDOUT_CALLBACK) env.ORIGINAL_STDOUT_CALLBACK = env.ANSIBLE_STDOUT_CALLBACK;
  if (mode === "module") {
    env.ANSIBLE_LOAD_CALLBACK_PLUGINS = "1";
    env.AD_HOC_COMMAND_ID ??= "1";
  }
  env.ANSIBLE_STDOUT_CALLBACK = "awx_display";
  env.ANSIBLE_RETRY_FILES_ENABLED = "False";
  env.ANSIBLE_HOST_KEY_CHECKING ??= "False";
  env.AWX_ISOLATED_DATA_DIR = artifactDir;
  const factCacheType = settings.fact_cache_type ?? "jsonfile";
  let factCacheDir: string | null = null;
  if (factCacheType === "jsonfile") {
    const dir = join(artifactDir, settings.fact_cache ?? "fact_cache");
    env.ANSIBLE_CACHE_PLUGIN = "jsonfile";
    env.ANSIBLE_CACHE_PLUGIN_CONNECTION = dir;
    // Only Ansible itself makes it: another program's artifacts have none, as ansible-runner's.
    if (mode !== "binary") factCacheDir = dir;
  }
  env.RUNNER_OMIT_EVENTS = opts.omitEventData ? "True" : "False";
  env.RUNNER_ONLY_FAILED_EVENTS = opts.onlyFailedEventData ? "True" : "False";
  env.PYTHONUNBUFFERED = "1";
  env[JOB_MARKER_ENV] = marker;
  // The job's own variables (not the host's environment): what a container gets in env.list.
  const own = new Set([
    ...RUNNER_VARS,
    ...Object.keys(inputs.envvars),
    ...Object.keys(opts.envvars ?? {}),
  ]);
  const ownEnv = Object.fromEntries(Object.entries(env).filter(([k]) => own.has(k)));

  const cwd = mode === "module" || !projectExists && !generatedPlaybook ? pdd : projectDir;
  const jobTimeout = opts.timeout ?? settings.job_timeout ?? null;

  const profiling = profilingSpec(opts, settings, artifactDir);
  const { sandbox, container } = isolationSpec(pdd, opts, settings, env, warnings);
  if (container?.auth) inputs.secrets.push(container.auth.password);
  const diBase = opts.directoryIsolationBasePath ?? settings.directory_isolation_base_path;
  if (container && profiling) {
    throw new ConfigError(
      "resource profiling of jobs in containers is not supported yet",
      "--resource-profiling",
    );
  }
  return {
    ownEnv,
    projectDir,
    sandbox,
    container,
    directoryIsolation: diBase
      ? {
        base: existingDir(
          diBase,
          opts.directoryIsolationBasePath
            ? "--directory-isolation-base-path"
            : "directory_isolation_base_path",
        ),
        cleanup: settings.directory_isolation_cleanup ?? true,
      }
      : null,
    profiling,
    http: httpConfig(settings, baseEnv),
    ident,
    mode,
    privateDataDir: pdd,
    artifactDir,
    artifactBase,
    argv,
    cwd,
    env,
    prompts: inputs.prompts,
    secrets: inputs.secrets,
    sshKey: inputs.sshKey,
    settings,
    extravarsCopy,
    extravarsFile,
    generatedPlaybook,
    factCacheDir,
    idleTimeout: settings.idle_timeout || null,
    jobTimeout: jobTimeout || null,
    rotateArtifacts: opts.rotateArtifacts ?? 0,
    json: !!opts.json,
    quiet: !!opts.quiet || !!settings.suppress_ansible_output,
    marker,
    warnings: [...warnings, ...inputs.warnings],
  };
}

/** The emitter's target from settings and RUNNER_HTTP_URL / RUNNER_HTTP_PATH (env wins). */
function httpConfig(settings: Settings, env: Record<string, string>): HttpEmitterConfig | null {
  const url = env.RUNNER_HTTP_URL || settings.runner_http_url;
  const socketPath = env.RUNNER_HTTP_PATH || settings.runner_http_path;
  if (!url && !socketPath) return null;
  if (url) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ConfigError(`'${url}' is not a URL`, "env/settings", "runner_http_url");
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
      throw new ConfigError(`'${url}' is not an http(s) URL`, "env/settings", "runner_http_url");
    }
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(settings.runner_http_headers ?? {})) {
    if (typeof v !== "string" && typeof v !== "number") {
      throw new ConfigError(
        "header values must be strings",
        "env/settings",
        `runner_http_headers.${k}`,
      );
    }
    headers[k] = String(v);
  }
  return { url, socketPath, headers };
}

/** Profiling options: flags win over settings; intervals must be positive. */
function profilingSpec(
  opts: RunOptions,
  settings: Settings,
  artifactDir: string,
): ProfilingSpec | null {
  if (!(opts.resourceProfiling ?? settings.resource_profiling)) return null;
  const interval = (flag: number | undefined, setting: number | undefined, name: string) => {
    const v = flag ?? setting ?? 0.25;
    if (!(v > 0) || v > 3600) {
      throw new ConfigError(
        `must be a number of seconds above 0, got ${v}`,
        "--" + name.replaceAll("_", "-"),
      );
    }
    return v;
  };
  return {
    baseCgroup: opts.resourceProfilingBaseCgroup ?? settings.resource_profiling_base_cgroup ??
      "ansible-runner",
    resultsDir: resolve(
      opts.resourceProfilingResultsDir ?? settings.resource_profiling_results_dir ??
        join(artifactDir, "profiling_data"),
    ),
    intervals: {
      cpu: interval(
        opts.resourceProfilingCpuPollInterval,
        settings.resource_profiling_cpu_poll_interval,
        "resource_profiling_cpu_poll_interval",
      ),
      memory: interval(
        opts.resourceProfilingMemoryPollInterval,
        settings.resource_profiling_memory_poll_interval,
        "resource_profiling_memory_poll_interval",
      ),
      pids: interval(
        opts.resourceProfilingPidPollInterval,
        settings.resource_profiling_pid_poll_interval,
        "resource_profiling_pid_poll_interval",
      ),
    },
  };
}
