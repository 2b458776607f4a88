/**
 * runner: the command-line entry. Kept thin: `--version` answers without loading anything,
 * everything else is in src/cli/.
 * @module
 */
import { VERSION } from "./src/cli/version.ts";

if (import.meta.main) {
  if (Deno.args.length === 1 && Deno.args[0] === "--version") {
    console.log(VERSION);
  } else {
    const { cli } = await import("./src/cli/main.ts");
    Deno.exit(await cli(Deno.args));
  }
}
