/** Wires the parsed command line to the command modules. */
import { parseArgs, UsageError, valueFlags } from "./args.ts";
import { commandFirst } from "./argv.ts";
import { COMMANDS, PROGRAM } from "./parser.ts";
import { isAliveCommand, startCommand, stopCommand } from "./daemon.ts";
import { processCommand } from "./process.ts";
import { profileCommand } from "./profile.ts";
import { runCommand } from "./run.ts";
import { transmitCommand } from "./transmit.ts";
import { workerCommand } from "./worker.ts";

async function writeAll(w: { write(p: Uint8Array): Promise<number> }, text: string): Promise<void> {
  const b = new TextEncoder().encode(text);
  for (let o = 0; o < b.length;) o += await w.write(b.subarray(o));
}

/** Parses `args` and runs the command; resolves to the exit code (2 for a bad command line). */
export async function cli(args: string[]): Promise<number> {
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
  const ns = parsed.args;
  switch (ns.command) {
    case "run":
      return await runCommand(ns);
    case "start":
      return await startCommand(ns, args);
    case "stop":
      return await stopCommand(ns);
    case "is-alive":
      return isAliveCommand(ns);
    case "profile":
      return profileCommand(ns);
    case "transmit":
      return await transmitCommand(ns);
    case "worker":
      return await workerCommand(ns);
    default:
      return await processCommand(ns);
  }
}
