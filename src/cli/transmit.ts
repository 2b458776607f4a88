/** `runner transmit`: the job onto stdout for a worker. */
import { ConfigError } from "../config/errors.ts";
import { transmit } from "../streaming/transmit.ts";
import { type JobArgs, runOptionsFromArgs } from "./run.ts";

/** Runs the command; resolves to the exit code. */
export async function transmitCommand(a: JobArgs): Promise<number> {
  try {
    await transmit(runOptionsFromArgs(a, Deno.env.toObject()), Deno.stdout);
    return 0;
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`runner: error: ${e.message}`);
      return 1;
    }
    throw e;
  }
}
