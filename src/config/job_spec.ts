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
import { pyJsonDumps, roleVarValue } from "./py_literal.ts";
import { shlexSplit } from "./shlex.ts";
import type { PromptRule } from "../exec/expect.ts";
import { compilePythonRegex } from "./py_regex.ts";
import { JOB_MARKER_ENV } from "../exec/process_tree.ts";
import type { HttpEmitterConfig } from "../sinks/http.ts";
import { which } from "../exec/which.ts";

/** What kind of program the job runs. */
export type ExecutionMode = "playbook" | "module" | "binary";

/** A playbook runner writes for `--role` and removes afterwards. */
export interface GeneratedPlaybook {
  path: string;
  content: string;
  /** The project dir did not exist and is created (and removed) for it. */
  createsProjectDir: boolean;
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

/** bubblewrap settings, validated. */
export interface SandboxOptions {
  executable: string;
  tmpBase: string;
  hide: string[];
  show: string[];
  readOnly: string[];
}

/** Container settings, validated. */
export interface ContainerOptions {
  engine: "podman" | "docker";
  image: string;
  volumeMounts: string[];
  options: string[];
  /** Registry credentials for pulling the image (`container_auth_data`). */
  auth: RegistryAuth | null;
}

/** `container_auth_data`, validated. */
export interface RegistryAuth {
  host: string;
  username: string;
  password: string;
  verifySsl: boolean;
}

/** What resource profiling needs. */
export interface ProfilingSpec {
  baseCgroup: string;
  resultsDir: string;
  intervals: { cpu: number; memory: number; pids: number };
}

// Synchronous: the job's start waits on these, and an asynchronous stat costs a thread hop.
function isDir(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

function existsSync(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * `--inventory` on the command line, checked as ansible-runner 2.4 checks it: a file or dir
 * (under the private data dir's inventory/, or from here), or, beyond it, a host list such as
 * "web1,web2,". Anything else is most likely a typo, with which Ansible would warn, match no
 * host and succeed. (Not for the API and the wire, whose paths may be the container's.)
 */
export function checkInventoryFlag(privateDataDir: string, inventory: string | undefined): void {
  if (!inventory || inventory.includes(",")) return;
  const pdd = resolve(privateDataDir);
  // A private data dir that is not there is the error to report (prepareJob does).
  if (!isDir(pdd) || findInventory(pdd, inventory)) return;
  throw new ConfigError(
    `'${inventory}' is not a file or dir (here or under ${
      join(privateDataDir, "inventory")
    }), nor a host list (web1,web2,)`,
    "--inventory",
  );
}

/** The file or dir `inventory` names: absolute, or under `pdd`/inventory/, or from here. */
function findInventory(pdd: string, inventory: string): string | null {
  const candidates = isAbsolute(inventory)
    ? [inventory]
    : [join(pdd, "inventory", inventory), resolve(inventory)];
  return candidates.find(existsSync) ?? null;
}

/**
 * The playbook that runs `opts.role` (a file name and its JSON), as ansible-runner makes it:
 * laid out by Python's `json.dumps`, each `--role-vars` value its Python literal.
 */
export function rolePlaybook(opts: RunOptions): { name: string; content: string } {
  const role = new Map<string, unknown>([["name", opts.role]]);
  if (opts.roleVars) role.set("vars", parseRoleVars(opts.roleVars));
  const play = new Map<string, unknown>([
    ["hosts", opts.hosts ?? "all"],
    ["gather_facts", !opts.roleSkipFacts],
    ["roles", [role]],
  ]);
  return { name: crypto.randomUUID().replaceAll("-", ""), content: pyJsonDumps([play]) };
}

/** `--role-vars 'K=V K2=V2'`: each value read as ansible-runner reads it (roleVarValue). */
function parseRoleVars(text: string): Map<string, unknown> {
  const vars = new Map<string, unknown>();
  for (const item of text.split(/\s+/).filter(Boolean)) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new ConfigError(`'${item}' is not key=value`, "--role-vars");
    vars.set(item.slice(0, eq), roleVarValue(item.slice(eq + 1)));
  }
  return vars;
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

  const env: Record<string, string> = { ...baseEnv, ...inputs.envvars, ...(opts.envvars ?? {}) };
  const marker = crypto.randomUUID();
  const mode: ExecutionMode = opts.binary ? "binary" : opts.module ? "module" : "playbook";

  let generatedPlaybook: GeneratedPlaybook | null = null;
  let playbook = opts.playbook;
  if (opts.role) {
    const { name, content } = rolePlaybook(opts);
    generatedPlaybook = {
      path: join(projectDir, name),
      content,
      createsProjectDir: !projectExists,
    };
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
  if (opts.extravars && Object.keys(opts.extravars).length) {
    argv.push("-e", JSON.stringify(opts.extravars));
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
  const { sandbox, container } = isolationSpec(pdd, opts, settings, env);
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
      ? { base: resolve(diBase), cleanup: settings.directory_isolation_cleanup ?? true }
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

/**
 * Host dirs a container may not be given, as ansible-runner refuses them: the root, /home and
 * /usr. Mounted, the job could read (or change) the host's system or every user's files. (A
 * file is mounted alone, so a file in them is fine.)
 */
const UNMOUNTABLE = new Set(["/", "/home", "/usr"]);

function checkMountable(path: string, what: string, key: string): void {
  if (UNMOUNTABLE.has(resolve(path))) {
    throw new ConfigError(`${what} ${path}: /, /home and /usr cannot be given to a container`, key);
  }
}

/** Process isolation: bubblewrap, or a container engine. Flags win over settings. */
function isolationSpec(
  pdd: string,
  opts: RunOptions,
  settings: Settings,
  env: Record<string, string>,
): { sandbox: SandboxOptions | null; container: ContainerOptions | null } {
  if (!(opts.processIsolation ?? settings.process_isolation)) {
    return { sandbox: null, container: null };
  }
  const exe = opts.processIsolationExecutable ?? settings.process_isolation_executable ?? "bwrap";
  const engine = exe.split("/").pop();
  if (engine === "podman" || engine === "docker") {
    // As ansible-runner 2.4: no default image (2.3 pulled its development image unasked).
    const image = opts.containerImage ?? settings.container_image;
    if (!image) {
      throw new ConfigError(
        `process_isolation_executable ${exe} needs a container image: give --container-image ` +
          "or the setting container_image in env/settings",
      );
    }
    checkMountable(pdd, "the private data dir", "private_data_dir");
    const volumeMounts = opts.containerVolumeMounts ?? settings.container_volume_mounts ?? [];
    const mountsKey = opts.containerVolumeMounts
      ? "--container-volume-mount"
      : "container_volume_mounts";
    for (const m of volumeMounts) checkMountable(m.split(":")[0], "the mount", mountsKey);
    return {
      sandbox: null,
      container: {
        engine,
        image,
        volumeMounts,
        options: opts.containerOptions ?? settings.container_options ?? [],
        auth: registryAuth(settings.container_auth_data),
      },
    };
  }
  if (!which(exe, env.PATH, Deno.cwd())) {
    throw new ConfigError(
      `'${exe}' is not installed or not in PATH`,
      "process_isolation_executable",
    );
  }
  const paths = (list: string[] | undefined, key: string, mustExist: boolean) =>
    (list ?? []).map((p) => {
      const full = resolve(p);
      if (mustExist && !existsSync(full)) throw new ConfigError(`${full} does not exist`, key);
      return full;
    });
  return {
    container: null,
    sandbox: {
      executable: exe,
      tmpBase: resolve(opts.processIsolationPath ?? settings.process_isolation_path ?? "/tmp"),
      hide: paths(
        opts.processIsolationHidePaths ?? settings.process_isolation_hide_paths,
        "process_isolation_hide_paths",
        false,
      ),
      show: paths(
        opts.processIsolationShowPaths ?? settings.process_isolation_show_paths,
        "process_isolation_show_paths",
        true,
      ),
      readOnly: paths(
        opts.processIsolationRoPaths ?? settings.process_isolation_ro_paths,
        "process_isolation_ro_paths",
        true,
      ),
    },
  };
}

/** Validates `container_auth_data` ({host, username, password, verify_ssl}). */
function registryAuth(data: Record<string, unknown> | undefined): RegistryAuth | null {
  if (!data) return null;
  for (const key of ["host", "username", "password"]) {
    if (typeof data[key] !== "string" || data[key] === "") {
      throw new ConfigError(
        "must be a non-empty string",
        "env/settings",
        `container_auth_data.${key}`,
      );
    }
  }
  if (data.verify_ssl !== undefined && typeof data.verify_ssl !== "boolean") {
    throw new ConfigError(
      "must be true or false",
      "env/settings",
      "container_auth_data.verify_ssl",
    );
  }
  return {
    host: data.host as string,
    username: data.username as string,
    password: data.password as string,
    verifySsl: data.verify_ssl !== false,
  };
}
