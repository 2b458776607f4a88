/** The command-line grammar: ansible-runner 2.x's commands and flags, with help for each. */
import type { CommandSpec, OptionGroup, OptionSpec, ProgramSpec } from "./args.ts";
import { COMPATIBLE_WITH, VERSION } from "./version.ts";

/** The positional every job command and most others take. */
const PDD = {
  dest: "private_data_dir",
  metavar: "PRIVATE_DATA_DIR",
  help: "directory holding env/, inventory/, project/ and roles/; artifacts are written under it",
};

const flag = (flags: string[], help: string, extra: Partial<OptionSpec> = {}): OptionSpec => ({
  flags,
  help,
  ...extra,
});
const onOff = (flags: string[], help: string): OptionSpec =>
  flag(flags, help, { action: "store_true" });

/** Like ansible-runner's: -p, -m and -r together are a usage error (-b replaces the program). */
const JOB_EXCLUSIVE = [["playbook", "module", "role"]];

/** The flags shared by every command that describes a job (run, start, transmit). */
function jobGroups(): OptionGroup[] {
  return [
    {
      title: "what to run (one of)",
      description: "defaults come from RUNNER_PLAYBOOK, RUNNER_MODULE, RUNNER_ROLE, RUNNER_BINARY",
      options: [
        flag(
          ["-p", "--playbook"],
          "playbook to run, relative to the project dir (ansible-playbook)",
        ),
        flag(["-m", "--module"], "module to run ad hoc (ansible); needs --hosts"),
        flag(
          ["-r", "--role"],
          "role to run through a generated playbook (roles from --roles-path)",
        ),
        flag(
          ["-b", "--binary"],
          "any program to run in place of ansible-playbook or ansible, with their inventory, " +
            "limit, extra vars, verbosity, forks and cmdline but not the playbook or module " +
            "(which may be given beside it, as ansible-runner requires)",
        ),
      ],
    },
    {
      title: "module and role options",
      options: [
        flag(["-a", "--args"], "arguments for the module given with -m", {
          dest: "module_args",
          metavar: "MODULE_ARGS",
        }),
        flag(
          ["--hosts"],
          "host pattern for -m and -r (default for -r: all); refused with -p",
        ),
        flag(
          ["--roles-path"],
          "where roles are found (default $ANSIBLE_ROLES_PATH, else PRIVATE_DATA_DIR/roles)",
          {
            metavar: "PATH",
          },
        ),
        flag(
          ["--role-vars"],
          "variables for the role, space separated key=value pairs; values are Python literals where they are one (n=1.0, l=[1,'a']), else text",
          {
            metavar: "'K=V K2=V2'",
          },
        ),
        onOff(["--role-skip-facts"], "do not gather facts in the generated role playbook"),
      ],
    },
    {
      title: "Ansible options",
      options: [
        flag(["--limit"], "limit the run to these hosts (ansible --limit)"),
        flag(
          ["--cmdline"],
          "extra arguments for the command, split as Python's shlex.split splits them; replaces env/cmdline",
        ),
        flag(["--forks"], "parallel processes (ansible --forks)", { type: "int" }),
        flag(["-v"], "more Ansible output; repeat up to -vvvvv", {
          dest: "verbosity",
          action: "count",
        }),
        flag(
          ["--inventory"],
          "inventory file or dir, relative to PRIVATE_DATA_DIR/inventory or to here, or a " +
            "host list 'web1,web2,' (default PRIVATE_DATA_DIR/inventory)",
        ),
        flag(
          ["--project-dir"],
          "project dir holding the playbook (default PRIVATE_DATA_DIR/project)",
          {
            metavar: "DIR",
          },
        ),
      ],
    },
    {
      title: "artifacts and output",
      options: [
        flag(
          ["-i", "--ident"],
          "job identifier, the artifact dir's name (default: a new uuid4); refused while a job " +
            "with it is running",
        ),
        flag(["--artifact-dir"], "where artifact dirs go (default PRIVATE_DATA_DIR/artifacts)", {
          metavar: "DIR",
        }),
        flag(
          ["--rotate-artifacts"],
          "keep only the N most recent artifact dirs, never a running job's (default 0: keep all)",
          {
            metavar: "N",
            type: "int",
            default: 0,
          },
        ),
        onOff(["-j", "--json"], "print each event as one JSON line (also in the stdout artifact)"),
        onOff(["-q", "--quiet"], "print nothing on the console"),
        onOff(["--omit-event-data"], "leave event_data out of every event"),
        onOff(["--only-failed-event-data"], "keep event_data only in failed events"),
        onOff(
          ["--omit-env-files"],
          "do not write in-process inputs (envvars, extravars, …) into env/",
        ),
      ],
    },
    {
      title: "isolation",
      description:
        "bubblewrap sandbox, podman/docker execution environment, or directory isolation",
      options: [
        onOff(
          ["--process-isolation"],
          "run the job isolated: in a bubblewrap sandbox, or in a container when " +
            "--process-isolation-executable is podman or docker",
        ),
        flag(["--process-isolation-executable"], "bwrap (default), podman or docker", {
          metavar: "EXE",
        }),
        flag(
          ["--process-isolation-path"],
          "existing dir where the sandbox's private /tmp is made (default /tmp)",
          {
            metavar: "DIR",
          },
        ),
        flag(["--process-isolation-hide-paths"], "paths the sandboxed job sees empty", {
          metavar: "PATH",
          action: "list",
        }),
        flag(["--process-isolation-show-paths"], "extra paths the sandboxed job sees, writable", {
          metavar: "PATH",
          action: "list",
        }),
        flag(["--process-isolation-ro-paths"], "extra paths the sandboxed job sees, read-only", {
          metavar: "PATH",
          action: "list",
        }),
        flag(
          ["--directory-isolation-base-path"],
          "copy the project into a new dir under DIR (which must exist), run there, remove it " +
            "afterwards",
          { metavar: "DIR" },
        ),
        flag(
          ["--container-image"],
          "image for podman/docker jobs (required with them; no default, as in ansible-runner 2.4)",
          { metavar: "IMAGE" },
        ),
        flag(
          ["--container-volume-mount"],
          "bind mount for the container (repeatable); SRC may use ~ and $VAR, and one that does " +
            "not exist on this node is left out with a warning, as in ansible-runner",
          { metavar: "SRC:DST[:OPTS]", action: "append" },
        ),
        flag(
          ["--container-option"],
          "extra option for podman/docker run (repeatable), e.g. --container-option=--network=host",
          { metavar: "OPTION", action: "append" },
        ),
      ],
    },
    {
      title: "resource profiling (cgroup v1 or v2)",
      description: "per-task cpu (% of one CPU), memory (MiB) and pids samples, written as " +
        "RS-delimited JSON to <n>-<task uuid>-{cpu,memory,pids}.json",
      options: [
        onOff(["--resource-profiling"], "sample the job's cgroup while it runs"),
        flag(
          ["--resource-profiling-base-cgroup"],
          "parent cgroup of the job's cgroup; must exist (default ansible-runner)",
          { metavar: "CGROUP" },
        ),
        ...["cpu", "memory", "pid"].map((metric) =>
          flag(
            [`--resource-profiling-${metric}-poll-interval`],
            `seconds between ${metric} samples (default 0.25)`,
            { metavar: "SECONDS", type: "float" },
          )
        ),
        flag(
          ["--resource-profiling-results-dir"],
          "where the sample files go (default ARTIFACT_DIR/IDENT/profiling_data)",
          { metavar: "DIR" },
        ),
      ],
    },
    {
      title: "diagnostics",
      options: [
        onOff(["--debug"], "print runner's own diagnostics on stderr"),
        flag(["--logfile"], "also write runner's diagnostics to this file"),
      ],
    },
  ];
}

const CLEANUP: CommandSpec = {
  name: "cleanup",
  summary: "remove old private data dirs (and container images) from this node",
  description: "Remove private data dirs matching a pattern, older than the grace period, " +
    "that no running job uses (a live pid file, or a running job's artifact dir in it). " +
    "Prints what it did and (changed: True|False).",
  positionals: [],
  groups: [{
    title: "cleanup options",
    options: [
      flag(
        ["--file-pattern"],
        "glob of private data dirs to remove, e.g. '/tmp/.ansible-runner-*' " +
          "(patterns that could match a system directory are refused)",
      ),
      flag(
        ["--exclude-strings"],
        "keep dirs whose path contains any of these (space or comma separated)",
        {
          action: "list",
          default: [],
        },
      ),
      flag(["--remove-images"], "container images to remove (space or comma separated)", {
        action: "list",
        default: [],
      }),
      flag(
        ["--grace-period"],
        "minutes since last modification during which a dir is kept (default 60; 0: none)",
        { type: "int", default: 60 },
      ),
      onOff(["--image-prune"], "run `<engine> image prune --force` after removing images"),
      flag(
        ["--process-isolation-executable"],
        "container engine for --remove-images and --image-prune (default podman)",
        { default: "podman" },
      ),
    ],
  }],
};

const daemonHelp = {
  stop: "cancel the background job of PRIVATE_DATA_DIR (its whole process tree)",
  "is-alive": "exit 0 while the background job of PRIVATE_DATA_DIR runs, 1 otherwise",
};

/** The whole command line: every command, flag and help text. */
export const PROGRAM: ProgramSpec = {
  prog: "runner",
  version: VERSION,
  description:
    `Run Ansible from a private data dir and record every event (ansible-runner ${COMPATIBLE_WITH} compatible).`,
  epilog: "Exit status: the job's rc (254 after a timeout or cancel); 1 for bad input.\n" +
    "See README.md for the private data dir layout and every env/settings key.",
  commands: [
    {
      name: "run",
      version: true,
      summary: "run a job in the foreground and wait for it",
      description:
        "Run a playbook, module, role or program from PRIVATE_DATA_DIR in the foreground.",
      positionals: [PDD],
      groups: jobGroups(),
      exclusive: JOB_EXCLUSIVE,
    },
    {
      name: "start",
      version: true,
      summary: "start a job in the background (writes pid and daemon.log in PRIVATE_DATA_DIR)",
      description: "Like run, but detached: returns at once. Follow it with is-alive and stop.",
      positionals: [PDD],
      groups: jobGroups(),
      exclusive: JOB_EXCLUSIVE,
    },
    ...(["stop", "is-alive"] as const).map((name) => ({
      name,
      version: true,
      summary: daemonHelp[name],
      description: daemonHelp[name],
      positionals: [PDD],
      groups: [{
        title: "options of run",
        description: "accepted and ignored, as ansible-runner accepts them (a script may pass " +
          "stop the flags it gave start): the pid file in PRIVATE_DATA_DIR names the job",
        options: jobGroups().flatMap((g) => g.options),
        unlisted: true,
      }],
    })),
    {
      name: "transmit",
      version: true,
      summary: "write a job (options and private data dir) to stdout for a worker",
      description: "Stream a job to stdout for `runner worker` or `ansible-runner worker`: " +
        "a kwargs line, the private data dir as a base64 zip, then eof.",
      positionals: [PDD],
      groups: jobGroups(),
      exclusive: JOB_EXCLUSIVE,
    },
    {
      name: "worker",
      version: true,
      summary: "run a job streamed on stdin; stream status, events and artifacts to stdout",
      description: "Execution-node side of transmit | worker | process (what Receptor starts).",
      positionals: [],
      subcommands: [CLEANUP],
      subcommandDest: "worker_subcommand",
      groups: [{
        title: "worker options",
        options: [
          flag(
            ["--private-data-dir"],
            "unpack the job here (default: a new temporary dir, removed at exit)",
            { metavar: "DIR" },
          ),
          onOff(
            ["--worker-info"],
            "print cpu_count, mem_in_bytes, errors, runner_version and uuid as YAML, and exit",
          ),
          onOff(
            ["--delete"],
            "delete --private-data-dir before unpacking and again when the job is done",
          ),
          flag(
            ["--keepalive-seconds"],
            "send a keepalive line after N seconds without output " +
              "(default: ANSIBLE_RUNNER_KEEPALIVE_SECONDS, else never)",
            { metavar: "N", type: "int" },
          ),
          onOff(["--debug"], "diagnostics on stderr"),
          flag(["--logfile"], "also write diagnostics to this file"),
        ],
      }],
    },
    {
      name: "process",
      version: true,
      summary: "read a worker's stream on stdin and write the artifacts here",
      description: "Controller side: record a worker's stream into PRIVATE_DATA_DIR/artifacts " +
        "(or artifacts/IDENT with --ident). Exit status: the job's rc, 1 for a broken stream.",
      positionals: [{ dest: "private_data_dir", metavar: "PRIVATE_DATA_DIR" }],
      groups: [{
        title: "process options",
        options: [
          flag(["-i", "--ident"], "write into artifacts/IDENT"),
          flag(["--artifact-dir"], "write here instead", { metavar: "DIR" }),
          onOff(["-q", "--quiet"], "print nothing"),
          onOff(["-j", "--json"], "print events as JSON lines"),
          onOff(["--debug"], "diagnostics on stderr"),
          flag(["--logfile"], "also write diagnostics to this file"),
        ],
      }],
    },
    {
      name: "profile",
      summary: "summarize a job's resource profiling data (table and SVG chart)",
      description: "Per task: duration, cpu mean and peak, memory peak, pids peak; plus one " +
        "self-contained SVG chart of the three series over time with task boundaries marked.",
      positionals: [{
        dest: "path",
        metavar: "PATH",
        help: "an artifact dir (artifacts/IDENT) or a profiling_data dir",
      }],
      groups: [{
        title: "profile options",
        options: [
          flag(
            ["-o", "--output"],
            "where to write the chart (default PATH's profiling_data/profile.svg)",
            {
              metavar: "FILE",
            },
          ),
        ],
      }],
    },
  ],
};

/** Command names, in help order. */
export const COMMANDS: readonly string[] = PROGRAM.commands.map((c) => c.name);
