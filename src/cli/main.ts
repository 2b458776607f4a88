/** Wires the parsed command line to the command modules. */
import { commandFirst } from "./argv.ts";
import { buildParser, COMMANDS, valueFlags } from "./parser.ts";
import { isAliveCommand, startCommand, stopCommand } from "./daemon.ts";
import { processCommand } from "./process.ts";
import { profileCommand } from "./profile.ts";
import { runCommand } from "./run.ts";
import { transmitCommand } from "./transmit.ts";
import { workerCommand } from "./worker.ts";

/** Parses `args` and runs the command; resolves to the exit code. */
export async function cli(args: string[]): Promise<number> {
  const parser = buildParser();
  const ns = parser.parse_args(commandFirst(args, COMMANDS, valueFlags()));
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
    case "process":
      return await processCommand(ns);
  }
  parser.error(`unknown command ${ns.command}`);
  return 2;
}
