/** Wires the parsed command line to the command modules. */
import { parseArgs, UsageError, valueFlags } from "./args.ts";
import { commandFirst } from "./argv.ts";
import { COMMANDS, PROGRAM } from "./parser.ts";
import { LocalIoError, osError } from "../config/errors.ts";

async function writeAll(w: { write(p: Uint8Array): Promise<number> }, text: string): Promise<void> {
  const b = new TextEncoder().encode(text);
  for (let o = 0; o < b.length;) o += await w.write(b.subarray(o));
}

/** Parses `args` and runs the command; resolves to the exit code (2 for a bad command line). */
export async function cli(args: string[]): Promise<number> {
  forgivingStderr();
  let parsed;
  try {
    parsed = parseArgs(PROGRAM, commandFirst(args, COMMANDS, valueFlags(PROGRAM)));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    await writeAll(Deno.stderr, e.render());
    return 2;
  }
  if (parsed.kind !== "run") {
    await writeAll(Deno.stdout, parsed.text);
    return 0;
  }
  try {
    return await dispatch(parsed.args, args);
  } catch (e) {
    // The reader of our output went away (`runner transmit … | head`): say so in one line.
    if (e instanceof Deno.errors.BrokenPipe) {
      console.error("runner: error: the output was closed before everything was written");
      return 1;
    }
    if (e instanceof LocalIoError) {
      console.error(`runner: error: ${e.message}`);
      return 1;
    }
    // A path given on the command line that cannot be made or opened (a log file, a worker's
    // or process's dir): one line naming it; the stack only with --debug.
    if (!FS_ERRORS.some((c) => e instanceof c)) throw e;
    console.error(`runner: error: ${fsMessage((e as Error).message)}`);
    if (parsed.args.debug) console.error((e as Error).stack);
    return 1;
  }
}

/**
 * runner's warnings and errors go to stderr through console.error, which throws when stderr
 * cannot be written (`2>/dev/full`, a full disk): a warning would then end the job before it
 * started, with no status. In the command line's process, a line that cannot be written is
 * dropped instead, as Python's logging drops it under ansible-runner.
 */
function forgivingStderr(): void {
  if (FORGIVING in console.error) return; // already (cli called again in one process)
  const write = console.error.bind(console);
  console.error = Object.assign((...data: unknown[]) => {
    try {
      write(...data);
    } catch { /* stderr is gone */ }
  }, { [FORGIVING]: true });
}

const FORGIVING = Symbol("forgiving");

const FS_ERRORS = [
  Deno.errors.NotFound,
  Deno.errors.PermissionDenied,
  Deno.errors.AlreadyExists,
  Deno.errors.NotADirectory,
  Deno.errors.IsADirectory,
  Deno.errors.FilesystemLoop,
];

/**
 * Deno's message path first: "No such file or directory (os error 2): open '/x'" becomes
 * "open '/x': No such file or directory".
 */
export function fsMessage(message: string): string {
  const { reason, op } = osError(message);
  return op ? `${op}: ${reason}` : reason;
}

async function dispatch(ns: Record<string, unknown>, args: string[]): Promise<number> {
  // Each command's modules load only when it runs: a job's start waits on their loading.
  switch (ns.command) {
    case "run":
      return await (await import("./run.ts")).runCommand(ns);
    case "start":
      return await (await import("./daemon.ts")).startCommand(ns, args);
    case "stop":
      return await (await import("./daemon.ts")).stopCommand(ns);
    case "is-alive":
      return (await import("./daemon.ts")).isAliveCommand(ns);
    case "profile":
      return (await import("./profile.ts")).profileCommand(ns);
    case "transmit":
      return await (await import("./transmit.ts")).transmitCommand(ns);
    case "worker":
      return await (await import("./worker.ts")).workerCommand(ns);
    default:
      return await (await import("./process.ts")).processCommand(ns);
  }
}
