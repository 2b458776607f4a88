/** The options of one job, as the command line and the library API give them. */

/** Options for a job run; every field mirrors an ansible-runner flag or setting. */
export interface RunOptions {
  /** The private data dir (`env/`, `inventory/`, `project/`, `roles/`, `artifacts/`). */
  privateDataDir: string;
  /** Job identifier, the artifact sub-directory name; default a new uuid4. */
  ident?: string;
  /** Playbook file, relative to the project dir. */
  playbook?: string;
  /** Ad-hoc module name (runs `ansible`). */
  module?: string;
  /** Arguments for `module`. */
  moduleArgs?: string;
  /** Host pattern for module and role runs. */
  hosts?: string;
  /** Role to run through a generated playbook. */
  role?: string;
  /** Where roles are found (default `<private data dir>/roles`). */
  rolesPath?: string;
  /** `key=value` pairs passed as role vars. */
  roleVars?: string;
  /** Skip fact gathering in role runs. */
  roleSkipFacts?: boolean;
  /** Any program to run instead of Ansible. */
  binary?: string;
  /** `--limit` for Ansible. */
  limit?: string;
  /** Extra command-line arguments (overrides `env/cmdline`). */
  cmdline?: string;
  /** `--forks` for Ansible. */
  forks?: number;
  /** `--tags` for ansible-playbook (ansible-runner's `tags`). */
  tags?: string;
  /** `--skip-tags` for ansible-playbook (ansible-runner's `skip_tags`). */
  skipTags?: string;
  /** Ansible verbosity (number of `-v`). */
  verbosity?: number;
  /** Inventory path: absolute, or relative to `<private data dir>/inventory`. */
  inventory?: string;
  /** Project dir (default `<private data dir>/project`). */
  projectDir?: string;
  /** Base dir for artifacts (default `<private data dir>/artifacts`). */
  artifactDir?: string;
  /** Keep only this many artifact dirs (0 keeps all). */
  rotateArtifacts?: number;
  /** Print events as JSON lines. */
  json?: boolean;
  /** Print nothing on the console. */
  quiet?: boolean;
  /** Drop `event_data` from events. */
  omitEventData?: boolean;
  /** Keep `event_data` only for failed events. */
  onlyFailedEventData?: boolean;
  /** Do not write env files given in-process into `env/` (library and worker use). */
  omitEnvFiles?: boolean;
  /** Job timeout in seconds; overrides the `job_timeout` setting. */
  timeout?: number;
  /** Extra environment, merged over `env/envvars`. */
  envvars?: Record<string, string>;
  /** Extra variables, passed with `-e`. */
  extravars?: Record<string, unknown>;
  /** Prompt regex → answer, merged over `env/passwords`. */
  passwords?: Record<string, string>;
  /** Private key text; replaces `env/ssh_key`. Loaded into an ssh-agent for the job; a
   * passphrase prompt is answered from `passwords` (e.g. `"Enter passphrase for .*:\\s*?$"`). */
  sshKey?: string;
  /** Run the job isolated: bubblewrap, or a container when the executable is podman/docker. */
  processIsolation?: boolean;
  /** `bwrap` (default), `podman` or `docker`. */
  processIsolationExecutable?: string;
  /** Where the sandbox's private /tmp is created (default /tmp). */
  processIsolationPath?: string;
  /** Paths the sandboxed job sees as empty. */
  processIsolationHidePaths?: string[];
  /** Extra paths the sandboxed job sees, writable. */
  processIsolationShowPaths?: string[];
  /** Extra paths the sandboxed job sees, read-only. */
  processIsolationRoPaths?: string[];
  /** Copy the project under this base and run the job there. */
  directoryIsolationBasePath?: string;
  /** Container image for podman/docker jobs. */
  containerImage?: string;
  /** Extra `-v` mounts for the container (`SRC:DST[:OPTS]`). */
  containerVolumeMounts?: string[];
  /** Extra options for `podman run` / `docker run`. */
  containerOptions?: string[];
  /** Sample the job's cpu, memory and pids per task (cgroup v1 or v2). */
  resourceProfiling?: boolean;
  /** Parent cgroup of the job's cgroup (default `ansible-runner`). */
  resourceProfilingBaseCgroup?: string;
  /** Seconds between cpu samples (default 0.25). */
  resourceProfilingCpuPollInterval?: number;
  /** Seconds between memory samples (default 0.25). */
  resourceProfilingMemoryPollInterval?: number;
  /** Seconds between pids samples (default 0.25). */
  resourceProfilingPidPollInterval?: number;
  /** Where the sample files go (default `<artifact dir>/profiling_data`). */
  resourceProfilingResultsDir?: string;
  /** Extra settings, merged over `env/settings`. */
  settings?: Record<string, unknown>;
}
