/** `runner process`: record a worker's stream on the controller. */
import { join, resolve } from "../runtime/path.ts";
import { ConsoleSink } from "../sinks/console.ts";
import type { JobSink } from "../sinks/sink.ts";
import { runProcessor } from "../streaming/process.ts";
import { makeLogger } from "./log.ts";

/** Runs the command; resolves to the job's rc (1 when the stream was broken). */
export async function processCommand(a: Record<string, unknown>): Promise<number> {
  const pdd = resolve(String(a.private_data_dir));
  const artifactDir = typeof a.artifact_dir === "string"
    ? resolve(a.artifact_dir)
    : typeof a.ident === "string"
    ? join(pdd, "artifacts", a.ident)
    : join(pdd, "artifacts");
  const log = makeLogger({
    debug: !!a.debug,
    logfile: typeof a.logfile === "string" ? a.logfile : undefined,
  });
  try {
    await Deno.mkdir(artifactDir, { recursive: true, mode: 0o700 });
    log.write(`processing the stream on stdin into ${artifactDir}`);
    const after: JobSink[] = a.quiet ? [] : [new ConsoleSink({ json: !!a.json })];
    const result = await runProcessor({ input: Deno.stdin.readable, artifactDir, after });
    log.write(`stream ended: ${result.status} rc=${result.rc}`);
    if (result.error) {
      log.write(`runner: ${result.error}`);
      console.error(`runner: error: ${result.error}`);
    }
    return result.rc;
  } finally {
    log.close();
  }
}
