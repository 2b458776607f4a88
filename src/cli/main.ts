/** Wires the parsed command line to the command modules. */
import { commandFirst } from "./argv.ts";
import { buildParser, COMMANDS, valueFlags } from "./parser.ts";
import { runCommand } from "./run.ts";

/** Parses `args` and runs the command; resolves to the exit code. */
export async function cli(args: string[]): Promise<number> {
  const parser = buildParser();
  const ns = parser.parse_args(commandFirst(args, COMMANDS, valueFlags()));
  switch (ns.command) {
    case "run":
      return await runCommand(ns);
  }
  parser.error(`unknown command ${ns.command}`);
  return 2;
}
