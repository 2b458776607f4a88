import { assert, assertEquals, assertIncludes, assertThrows } from "../testing/assert.ts";
import { formatHelp, parseArgs, type ProgramSpec, UsageError, valueFlags } from "./args.ts";
import { commandFirst } from "./argv.ts";
import { COMMANDS, PROGRAM } from "./parser.ts";

function parse(argv: string[]): Record<string, unknown> {
  const r = parseArgs(PROGRAM, commandFirst(argv, COMMANDS, valueFlags(PROGRAM)));
  assert(r.kind === "run");
  return r.args;
}

// Each line is parsed by Python's own argparse, built from the same spec, and by ours: the
// namespaces, or the error messages, must be the same.
const LINES: string[][] = [
  ["run", "demo", "-p", "test.yml"],
  ["-p", "test.yml", "run", "demo"],
  ["run", "demo", "-ptest.yml", "-vvv", "-jq"],
  ["run", "demo", "--playbook=test.yml", "--forks", "5", "-i", "x1", "-v", "-v"],
  ["run", "demo", "--play", "t.yml", "--ident=a=b"],
  ["run", "demo", "-m", "ping", "--hosts", "all", "-a", "data=1"],
  ["run", "demo", "--cmdline", "-e foo=bar --forks 2"],
  ["run", "demo", "--container-option=--network=host", "--container-option", "--pull=never"],
  ["run", "demo", "--process-isolation-hide-paths", "/a", "/b", "--process-isolation"],
  ["run", "demo", "--process-isolation-ro-paths"],
  ["run", "demo", "--resource-profiling", "--resource-profiling-cpu-poll-interval", "0.5"],
  ["run", "demo", "--rotate-artifacts", "3", "--", "-p"],
  ["run", "--", "demo"],
  ["start", "demo", "-r", "myrole", "--role-vars", "a=1 b=2", "--role-skip-facts"],
  ["stop", "demo"],
  ["is-alive", "demo"],
  ["transmit", "demo", "-p", "test.yml", "--omit-event-data"],
  ["worker"],
  ["worker", "--private-data-dir", "/tmp/x", "--delete", "--keepalive-seconds", "3"],
  ["worker", "--worker-info"],
  ["worker", "cleanup", "--file-pattern", "/tmp/foo*", "--grace-period", "0"],
  ["worker", "cleanup", "--remove-images", "a", "b", "--image-prune", "--exclude-strings", "x"],
  ["worker", "--debug", "cleanup", "--process-isolation-executable", "docker"],
  ["process", "ctl", "-i", "w1", "-q"],
  ["-q", "process", "ctl"],
  ["profile", "artifacts/x", "-o", "out.svg"],
  // Words with spaces: an option when they name one (whole, before "=", or as a prefix),
  // else a value.
  ["run", "demo", "--cmdline=--skip-tags t1 -v"],
  ["run", "demo", "--cmdline", "--skip-tags t1 -v"],
  ["run", "demo", "--cmd=-e a=1 -v", "-p", "-my play.yml"],
  ["run", "demo", "-pmy play.yml", "--limit", "-1"],
  ["run", "demo", "--process-isolation-hide-paths", "/a b", "-x y", "--limit=-2.5"],
  ["run", "demo", "--bogus value"],
  ["run", "demo", "-z y"],
  // errors
  [],
  ["run"],
  ["run", "demo", "extra"],
  ["run", "demo", "--forks", "many"],
  ["run", "demo", "--bogus"],
  ["run", "demo", "-p"],
  ["run", "demo", "--resource-profiling-cpu-poll-interval", "fast"],
  ["run", "demo", "--role", "--ident", "x"],
  ["run", "demo", "--json=yes"],
  ["run", "demo", "--process-isolation-"],
  ["run", "demo", "-p", "a.yml", "-m", "ping"],
  ["run", "demo", "-r", "x", "--playbook=a.yml"],
  ["transmit", "demo", "-m", "ping", "--role", "x"],
  ["frobnicate"],
  ["worker", "cleanup", "--grace-period"],
  ["worker", "vacuum"],
];

const PY = `
import argparse, json, sys
spec = json.load(sys.stdin)
def dest(o):
    if "dest" in o: return o["dest"]
    long = next((f for f in o["flags"] if f.startswith("--")), o["flags"][0])
    return long.lstrip("-").replace("-", "_")
def add(p, cmd):
    for pos in cmd["positionals"]:
        p.add_argument(pos["dest"], metavar=pos["metavar"])
    groups = [(set(ds), p.add_mutually_exclusive_group()) for ds in cmd.get("exclusive", [])]
    for g in cmd["groups"]:
        for o in g["options"]:
            into = next((m for ds, m in groups if dest(o) in ds), p)
            kw = {}
            a = o.get("action", "store")
            if a == "list": kw["nargs"] = "*"
            elif a == "count": kw["action"] = "count"; kw["default"] = 0
            elif a != "store": kw["action"] = a
            if "dest" in o: kw["dest"] = o["dest"]
            if "default" in o: kw["default"] = o["default"]
            if o.get("type") == "int": kw["type"] = int
            if o.get("type") == "float": kw["type"] = float
            into.add_argument(*o["flags"], **kw)
    if cmd.get("subcommands"):
        sub = p.add_subparsers(dest=cmd["subcommandDest"])
        for s in cmd["subcommands"]:
            add(sub.add_parser(s["name"]), s)
class Failed(Exception):
    pass
def error(self, message):
    raise Failed(message)
argparse.ArgumentParser.error = error
top = argparse.ArgumentParser(prog="runner")
subs = top.add_subparsers(dest="command", required=True)
for c in spec["program"]["commands"]:
    add(subs.add_parser(c["name"]), c)
out = []
for line in spec["lines"]:
    try:
        out.append(vars(top.parse_args(line)))
    except Failed as e:
        out.append({"error": str(e)})
print(json.dumps(out))
`;

function normalized(ns: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(ns).map(([k, v]) => [k, v === undefined ? null : v]).sort(),
  );
}

Deno.test("args: the same namespaces and errors as Python's argparse on the same spec", async () => {
  const lines = LINES.map((l) => commandFirst(l, COMMANDS, valueFlags(PROGRAM)));
  const child = new Deno.Command("python3", {
    args: ["-c", PY],
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(JSON.stringify({ program: PROGRAM, lines })));
  await w.close();
  const out = await child.output();
  const expected = JSON.parse(new TextDecoder().decode(out.stdout)) as unknown[];
  assertEquals(expected.length, lines.length);
  lines.forEach((line, i) => {
    let ours: unknown;
    try {
      const r = parseArgs(PROGRAM, line);
      ours = r.kind === "run" ? normalized(r.args) : r.kind;
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      ours = { error: e.message };
    }
    const theirs = expected[i] as Record<string, unknown>;
    // Python 3.11's argparse names the `--` it consumed among unrecognized arguments (fixed in
    // 3.12): not a behaviour to copy.
    const error = (m: unknown) => ({ error: String(m).replace("arguments: -- ", "arguments: ") });
    assertEquals(
      ours,
      "error" in theirs ? error(theirs.error) : normalized(theirs),
      JSON.stringify(LINES[i]),
    );
  });
});

Deno.test("args: errors name the argument and the command", () => {
  const err = (argv: string[]) => assertThrows(() => parseArgs(PROGRAM, argv)) as UsageError;
  const e = err(["run", "demo", "--forks", "many"]);
  assertIncludes(e.render(), "usage: runner run");
  assertIncludes(e.render(), "runner run: error: argument --forks: invalid int value: 'many'");
  assertIncludes(err(["run"]).message, "required: PRIVATE_DATA_DIR");
  assertIncludes(err(["frobnicate"]).message, "invalid choice: 'frobnicate'");
  assertIncludes(err(["run", "demo", "-p"]).message, "argument -p/--playbook: expected one");
  const ambiguous: ProgramSpec = {
    ...PROGRAM,
    commands: [{
      name: "x",
      summary: "",
      description: "",
      positionals: [],
      groups: [{ title: "", options: [{ flags: ["--aa"] }, { flags: ["--ab"] }] }],
    }],
  };
  assertIncludes(
    (assertThrows(() => parseArgs(ambiguous, ["x", "--a", "1"])) as UsageError).message,
    "ambiguous option: --a could match --aa, --ab",
  );
});

Deno.test("args: help and version", () => {
  assertEquals(parseArgs(PROGRAM, ["--version"]), {
    kind: "version",
    text: `${PROGRAM.version}\n`,
  });
  const top = parseArgs(PROGRAM, ["--help"]);
  assert(top.kind === "help");
  for (const c of COMMANDS) assertIncludes(top.text, `  ${c} `);
  const run = parseArgs(PROGRAM, ["run", "demo", "-h"]);
  assert(run.kind === "help");
  assertEquals(run.text, formatHelp(PROGRAM, [PROGRAM.commands[0]]));
  assertIncludes(run.text, "  -p PLAYBOOK, --playbook PLAYBOOK");
  assertIncludes(run.text, "--process-isolation-hide-paths [PATH ...]");
  for (const line of run.text.split("\n")) assert(line.length <= 100, line);
  const cleanup = parseArgs(PROGRAM, ["worker", "cleanup", "--help"]);
  assert(cleanup.kind === "help");
  assertIncludes(cleanup.text, "usage: runner worker cleanup");
});

Deno.test("args: values reach the namespace with their types and defaults", () => {
  const ns = parse(["-p", "t.yml", "run", "demo", "--forks=4", "-vv", "--rotate-artifacts", "2"]);
  assertEquals(
    [ns.command, ns.private_data_dir, ns.playbook, ns.forks, ns.verbosity, ns.rotate_artifacts],
    ["run", "demo", "t.yml", 4, 2, 2],
  );
  assertEquals([ns.json, ns.container_option, ns.module_args], [false, undefined, undefined]);
  const w = parse(["worker", "cleanup", "--exclude-strings", "a", "b"]);
  assertEquals(
    [w.worker_subcommand, w.exclude_strings, w.grace_period, w.process_isolation_executable],
    ["cleanup", ["a", "b"], 60, "podman"],
  );
});

Deno.test("args: what ansible-runner accepts beside each command", () => {
  // --version on every command but worker cleanup, as argparse's parent parser gives them.
  for (const cmd of ["run", "start", "stop", "is-alive", "transmit", "worker", "process"]) {
    assertEquals(parseArgs(PROGRAM, [cmd, "--version"]).kind, "version", cmd);
    assertIncludes(
      formatHelp(PROGRAM, [PROGRAM.commands.find((c) => c.name === cmd)!]),
      "--version",
    );
  }
  assertThrows(() => parseArgs(PROGRAM, ["worker", "cleanup", "--version"]));
  // stop and is-alive take run's flags (and ignore them); their help says so without listing them.
  const stop = parse(["stop", "pdd", "-i", "bg", "-p", "t.yml", "--limit", "h1", "-vv"]);
  assertEquals([stop.command, stop.private_data_dir, stop.ident], ["stop", "pdd", "bg"]);
  const help = formatHelp(PROGRAM, [PROGRAM.commands.find((c) => c.name === "is-alive")!]);
  assertIncludes(help, "accepted and ignored");
  assert(!help.includes("--playbook"), "run's flags are not listed");
  // process takes --debug and --logfile.
  const p = parse(["process", "pdd", "--debug", "--logfile", "/tmp/l"]);
  assertEquals([p.debug, p.logfile], [true, "/tmp/l"]);
});
