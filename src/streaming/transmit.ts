/** `transmit`: a job's options and private data dir onto the wire, for a worker to run. */
import type { RunOptions } from "../config/options.ts";
import { ConfigError } from "../config/errors.ts";
import { kwargsFromOptions } from "./kwargs.ts";
import { type SyncWriter, writeLine } from "./wire.ts";
import { sendDirectory } from "./zip_frame.ts";

/** Writes kwargs, the zipped private data dir, and eof. */
export async function transmit(options: RunOptions, out: SyncWriter): Promise<void> {
  if (options.role) {
    throw new ConfigError(
      "-r/--role cannot be transmitted yet; send a playbook instead",
      "transmit",
    );
  }
  try {
    if (!Deno.statSync(options.privateDataDir).isDirectory) throw new Error();
  } catch {
    throw new ConfigError(
      `private data dir ${options.privateDataDir} does not exist or is not a directory`,
    );
  }
  writeLine(out, { kwargs: kwargsFromOptions(options) });
  await sendDirectory(out, options.privateDataDir);
  writeLine(out, { eof: true });
}
