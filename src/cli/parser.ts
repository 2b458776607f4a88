/** The command-line grammar: ansible-runner 2.x's commands and flags, with help for each. */
import { ArgumentParser, RawDescriptionHelpFormatter } from "argparse";
import { COMPATIBLE_WITH, VERSION } from "./version.ts";

/** Commands the parser knows, in help order. */
export const COMMANDS = [
  "run",
  "start",
  "stop",
  "is-alive",
  "transmit",
  "worker",
  "process",
  "profile",
] as const;

type Parser = InstanceType<typeof ArgumentParser>;

/** Adds the flags shared by every command that describes a job (run, start, transmit). */
function addJobFlags(p: Parser): void {
  p.add_argument("private_data_dir", {
    metavar: "PRIVATE_DATA_DIR",
    help: "directory holding env/, inventory/, project/ and roles/; artifacts are written under it",
  });
  const what = p.add_argument_group({
    title: "what to run (one of)",
    description: "defaults come from RUNNER_PLAYBOOK, RUNNER_MODULE, RUNNER_ROLE, RUNNER_BINARY",
  });
  what.add_argument("-p", "--playbook", {
    help: "playbook to run, relative to the project dir (ansible-playbook)",
  });
  what.add_argument("-m", "--module", { help: "module to run ad hoc (ansible); needs --hosts" });
  what.add_argument("-r", "--role", {
    help: "role to run through a generated playbook (roles from --roles-path)",
  });
  what.add_argument("-b", "--binary", {
    help: "any program to run in place of ansible-playbook, with the same arguments",
  });

  const mod = p.add_argument_group({ title: "module and role options" });
  mod.add_argument("-a", "--args", {
    dest: "module_args",
    metavar: "MODULE_ARGS",
    help: "arguments for the module given with -m",
  });
  mod.add_argument("--hosts", { help: "host pattern for -m and -r (role default: all)" });
  mod.add_argument("--roles-path", {
    metavar: "PATH",
    help: "where roles are found (default PRIVATE_DATA_DIR/roles)",
  });
  mod.add_argument("--role-vars", {
    metavar: "'K=V K2=V2'",
    help: "variables for the role, space separated key=value pairs",
  });
  mod.add_argument("--role-skip-facts", {
    action: "store_true",
    help: "do not gather facts in the generated role playbook",
  });

  const ans = p.add_argument_group({ title: "Ansible options" });
  ans.add_argument("--limit", { help: "limit the run to these hosts (ansible --limit)" });
  ans.add_argument("--cmdline", {
    help: "extra arguments for the command, shell quoted; replaces env/cmdline",
  });
  ans.add_argument("--forks", { type: "int", help: "parallel processes (ansible --forks)" });
  ans.add_argument("-v", {
    dest: "verbosity",
    action: "count",
    default: 0,
    help: "more Ansible output; repeat up to -vvvvv",
  });
  ans.add_argument("--inventory", {
    help: "inventory file or dir: absolute, or relative to PRIVATE_DATA_DIR/inventory " +
      "(default PRIVATE_DATA_DIR/inventory)",
  });
  ans.add_argument("--project-dir", {
    metavar: "DIR",
    help: "project dir holding the playbook (default PRIVATE_DATA_DIR/project)",
  });

  const art = p.add_argument_group({ title: "artifacts and output" });
  art.add_argument("-i", "--ident", {
    help: "job identifier, the artifact dir's name (default: a new uuid4)",
  });
  art.add_argument("--artifact-dir", {
    metavar: "DIR",
    help: "where artifact dirs go (default PRIVATE_DATA_DIR/artifacts)",
  });
  art.add_argument("--rotate-artifacts", {
    metavar: "N",
    type: "int",
    default: 0,
    help: "keep only the N most recent artifact dirs (default 0: keep all)",
  });
  art.add_argument("-j", "--json", {
    action: "store_true",
    help: "print each event as one JSON line (also in the stdout artifact)",
  });
  art.add_argument("-q", "--quiet", { action: "store_true", help: "print nothing on the console" });
  art.add_argument("--omit-event-data", {
    action: "store_true",
    help: "leave event_data out of every event",
  });
  art.add_argument("--only-failed-event-data", {
    action: "store_true",
    help: "keep event_data only in failed events",
  });
  art.add_argument("--omit-env-files", {
    action: "store_true",
    help: "do not write in-process inputs (envvars, extravars, …) into env/",
  });

  const iso = p.add_argument_group({
    title: "isolation",
    description: "bubblewrap sandbox, podman/docker execution environment, or directory isolation",
  });
  iso.add_argument("--process-isolation", {
    action: "store_true",
    help: "run the job isolated: in a bubblewrap sandbox, or in a container when " +
      "--process-isolation-executable is podman or docker",
  });
  iso.add_argument("--process-isolation-executable", {
    metavar: "EXE",
    help: "bwrap (default), podman or docker",
  });
  iso.add_argument("--process-isolation-path", {
    metavar: "DIR",
    help: "where the sandbox's private /tmp is made (default /tmp)",
  });
  iso.add_argument("--process-isolation-hide-paths", {
    metavar: "PATH",
    nargs: "*",
    help: "paths the sandboxed job sees empty",
  });
  iso.add_argument("--process-isolation-show-paths", {
    metavar: "PATH",
    nargs: "*",
    help: "extra paths the sandboxed job sees, writable",
  });
  iso.add_argument("--process-isolation-ro-paths", {
    metavar: "PATH",
    nargs: "*",
    help: "extra paths the sandboxed job sees, read-only",
  });
  iso.add_argument("--directory-isolation-base-path", {
    metavar: "DIR",
    help: "copy the project into a new dir under DIR, run there, remove it afterwards",
  });
  iso.add_argument("--container-image", {
    metavar: "IMAGE",
    help: "image for podman/docker jobs (default quay.io/ansible/ansible-runner:devel)",
  });
  iso.add_argument("--container-volume-mount", {
    metavar: "SRC:DST[:OPTS]",
    action: "append",
    help: "extra volume for the container (repeatable)",
  });
  iso.add_argument("--container-option", {
    metavar: "OPTION",
    action: "append",
    help: "extra option for podman/docker run (repeatable), e.g. --container-option=--network=host",
  });

  const prof = p.add_argument_group({
    title: "resource profiling (cgroup v1 or v2)",
    description: "per-task cpu (% of one CPU), memory (MiB) and pids samples, written as " +
      "RS-delimited JSON to <n>-<task uuid>-{cpu,memory,pids}.json",
  });
  prof.add_argument("--resource-profiling", {
    action: "store_true",
    help: "sample the job's cgroup while it runs",
  });
  prof.add_argument("--resource-profiling-base-cgroup", {
    metavar: "CGROUP",
    help: "parent cgroup of the job's cgroup; must exist (default ansible-runner)",
  });
  for (const metric of ["cpu", "memory", "pid"]) {
    prof.add_argument(`--resource-profiling-${metric}-poll-interval`, {
      metavar: "SECONDS",
      type: "float",
      help: `seconds between ${metric} samples (default 0.25)`,
    });
  }
  prof.add_argument("--resource-profiling-results-dir", {
    metavar: "DIR",
    help: "where the sample files go (default ARTIFACT_DIR/IDENT/profiling_data)",
  });

  const dbg = p.add_argument_group({ title: "diagnostics" });
  dbg.add_argument("--debug", {
    action: "store_true",
    help: "print runner's own diagnostics on stderr",
  });
  dbg.add_argument("--logfile", { help: "also write runner's diagnostics to this file" });
}

/** Options that take a separate value, for {@link commandFirst}. */
export function valueFlags(): Set<string> {
  return new Set([
    "-p",
    "--playbook",
    "-m",
    "--module",
    "-r",
    "--role",
    "-b",
    "--binary",
    "-a",
    "--args",
    "--hosts",
    "--roles-path",
    "--role-vars",
    "--limit",
    "--cmdline",
    "--forks",
    "--inventory",
    "--project-dir",
    "-i",
    "--ident",
    "--artifact-dir",
    "--rotate-artifacts",
    "--logfile",
    "--process-isolation-path",
    "--directory-isolation-base-path",
    "--container-image",
    "--container-volume-mount",
    "--container-option",
    "--resource-profiling-base-cgroup",
    "--resource-profiling-cpu-poll-interval",
    "--resource-profiling-memory-poll-interval",
    "--resource-profiling-pid-poll-interval",
    "--resource-profiling-results-dir",
    "--private-data-dir",
    "--keepalive-seconds",
    "--file-pattern",
    "--exclude-strings",
    "--grace-period",
    "--remove-images",
    "--process-isolation-executable",
    "-o",
    "--output",
  ]);
}

/** Builds the whole parser. */
export function buildParser(): Parser {
  const color = Deno.stdout.isTerminal() && !Deno.env.get("NO_COLOR");
  const parser = new ArgumentParser({
    prog: "runner",
    color,
    description:
      `Run Ansible from a private data dir and record every event (ansible-runner ${COMPATIBLE_WITH} compatible).`,
    formatter_class: RawDescriptionHelpFormatter,
    epilog: "Exit status: the job's rc (254 after a timeout or cancel); 1 for bad input.\n" +
      "See README.md for the private data dir layout and every env/settings key.",
  });
  parser.add_argument("--version", { action: "version", version: VERSION });
  const sub = parser.add_subparsers({ dest: "command", metavar: "COMMAND", required: true });
  const run = sub.add_parser("run", {
    color,
    help: "run a job in the foreground and wait for it",
    description: "Run a playbook, module, role or program from PRIVATE_DATA_DIR in the foreground.",
  });
  addJobFlags(run);

  const start = sub.add_parser("start", {
    color,
    help: "start a job in the background (writes pid and daemon.log in PRIVATE_DATA_DIR)",
    description: "Like run, but detached: returns at once. Follow it with is-alive and stop.",
  });
  addJobFlags(start);
  for (
    const [name, help] of [
      ["stop", "cancel the background job of PRIVATE_DATA_DIR (its whole process tree)"],
      ["is-alive", "exit 0 while the background job of PRIVATE_DATA_DIR runs, 1 otherwise"],
    ]
  ) {
    const p = sub.add_parser(name, { color, help, description: help });
    p.add_argument("private_data_dir", { metavar: "PRIVATE_DATA_DIR" });
  }

  const transmit = sub.add_parser("transmit", {
    color,
    help: "write a job (options and private data dir) to stdout for a worker",
    description: "Stream a job to stdout for `runner worker` or `ansible-runner worker`: " +
      "a kwargs line, the private data dir as a base64 zip, then eof.",
  });
  addJobFlags(transmit);

  const worker = sub.add_parser("worker", {
    color,
    help: "run a job streamed on stdin; stream status, events and artifacts to stdout",
    description: "Execution-node side of transmit | worker | process (what Receptor starts).",
  });
  worker.add_argument("--private-data-dir", {
    metavar: "DIR",
    help: "unpack the job here (default: a new temporary dir, removed at exit)",
  });
  worker.add_argument("--worker-info", {
    action: "store_true",
    help: "print cpu_count, mem_in_bytes, errors, runner_version and uuid as YAML, and exit",
  });
  worker.add_argument("--delete", {
    action: "store_true",
    help: "delete --private-data-dir before unpacking and again when the job is done",
  });
  worker.add_argument("--keepalive-seconds", {
    metavar: "N",
    type: "int",
    help: "send a keepalive line after N seconds without output " +
      "(default: ANSIBLE_RUNNER_KEEPALIVE_SECONDS, else never)",
  });
  worker.add_argument("--debug", { action: "store_true", help: "diagnostics on stderr" });
  const workerSub = worker.add_subparsers({ dest: "worker_subcommand", metavar: "SUBCOMMAND" });
  const clean = workerSub.add_parser("cleanup", {
    color,
    help: "remove old private data dirs (and container images) from this node",
    description: "Remove private data dirs matching a pattern, older than the grace period, " +
      "whose pid file names no live process. Prints what it did and (changed: True|False).",
  });
  clean.add_argument("--file-pattern", {
    help: "glob of private data dirs to remove, e.g. '/tmp/.ansible-runner-*' " +
      "(patterns that could match a system directory are refused)",
  });
  clean.add_argument("--exclude-strings", {
    nargs: "*",
    default: [],
    help: "keep dirs whose path contains any of these (space or comma separated)",
  });
  clean.add_argument("--remove-images", {
    nargs: "*",
    default: [],
    help: "container images to remove (space or comma separated)",
  });
  clean.add_argument("--grace-period", {
    type: "int",
    default: 60,
    help: "minutes since last modification during which a dir is kept (default 60; 0: none)",
  });
  clean.add_argument("--image-prune", {
    action: "store_true",
    help: "run `<engine> image prune --force` after removing images",
  });
  clean.add_argument("--process-isolation-executable", {
    default: "podman",
    help: "container engine for --remove-images and --image-prune (default podman)",
  });
  worker.add_argument("--logfile", { help: "also write diagnostics to this file" });

  const process = sub.add_parser("process", {
    color,
    help: "read a worker's stream on stdin and write the artifacts here",
    description: "Controller side: record a worker's stream into PRIVATE_DATA_DIR/artifacts " +
      "(or artifacts/IDENT with --ident). Exit status: the job's rc, 1 for a broken stream.",
  });
  process.add_argument("private_data_dir", { metavar: "PRIVATE_DATA_DIR" });
  process.add_argument("-i", "--ident", { help: "write into artifacts/IDENT" });
  process.add_argument("--artifact-dir", { metavar: "DIR", help: "write here instead" });
  process.add_argument("-q", "--quiet", { action: "store_true", help: "print nothing" });
  process.add_argument("-j", "--json", {
    action: "store_true",
    help: "print events as JSON lines",
  });
  const profile = sub.add_parser("profile", {
    color,
    help: "summarize a job's resource profiling data (table and SVG chart)",
    description: "Per task: duration, cpu mean and peak, memory peak, pids peak; plus one " +
      "self-contained SVG chart of the three series over time with task boundaries marked.",
  });
  profile.add_argument("path", {
    metavar: "PATH",
    help: "an artifact dir (artifacts/IDENT) or a profiling_data dir",
  });
  profile.add_argument("-o", "--output", {
    metavar: "FILE",
    help: "where to write the chart (default PATH's profiling_data/profile.svg)",
  });
  return parser;
}
