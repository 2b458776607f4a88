/** `runner worker`: run a streamed job (what Receptor starts on an execution node). */
import { cleanup } from "../node/cleanup.ts";
import { runWorker } from "../streaming/worker.ts";
import { WireSink } from "../sinks/wire.ts";
import { osError } from "../config/errors.ts";
import { tempDirBase } from "../runtime/fs_sync.ts";
import { makeLogger } from "./log.ts";
import { onCancelSignals } from "./cancel_signals.ts";
import { workerInfo, workerInfoYaml } from "../node/worker_info.ts";

/** Runs the command; resolves to the exit code (the job's rc, 1 for a broken stream). */
export async function workerCommand(a: Record<string, unknown>): Promise<number> {
  if (a.worker_subcommand === "cleanup") {
    const list = (v: unknown) =>
      (Array.isArray(v) ? v : []).flatMap((x) => String(x).split(",")).filter(Boolean);
    return await cleanup({
      filePattern: typeof a.file_pattern === "string" ? a.file_pattern : undefined,
      exclude: list(a.exclude_strings),
      graceMinutes: typeof a.grace_period === "number" ? a.grace_period : 60,
      removeImages: list(a.remove_images),
      imagePrune: !!a.image_prune,
      engine: String(a.process_isolation_executable ?? "podman"),
      print: (line) => console.log(line),
      warn: (line) => console.error(line),
    });
  }
  if (a.worker_info) {
    console.log(workerInfoYaml(workerInfo()));
    return 0;
  }
  const log = makeLogger({ debug: !!a.debug, logfile: a.logfile as string | undefined });
  const given = typeof a.private_data_dir === "string" ? a.private_data_dir : null;
  if (given && a.delete) await Deno.remove(given, { recursive: true }).catch(() => {});
  let pdd: string;
  try {
    pdd = given ?? await Deno.makeTempDir({ prefix: "runner_worker_" });
    await Deno.mkdir(pdd, { recursive: true, mode: 0o700 });
  } catch (e) {
    // The controller learns why from the stream, as from any worker that could run nothing.
    const where = given ?? `${tempDirBase()} (the temporary dir)`;
    const msg = `cannot make the private data dir in ${where}: ${
      osError((e as Error).message).reason
    }`;
    WireSink.fail(Deno.stdout, msg);
    log.close();
    console.error(`runner: error: ${msg}`);
    return 1;
  }
  let keepalive = typeof a.keepalive_seconds === "number" ? a.keepalive_seconds : undefined;
  if (keepalive === undefined) {
    const fromEnv = Number(Deno.env.get("ANSIBLE_RUNNER_KEEPALIVE_SECONDS") ?? "0");
    keepalive = Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : 0;
  }
  // Receptor cancels with SIGINT (then SIGKILL 10 s later): end the job and report at once.
  const controller = new AbortController();
  const stopListening = onCancelSignals(() => controller.abort());
  try {
    const outcome = await runWorker({
      input: Deno.stdin.readable,
      out: Deno.stdout,
      privateDataDir: pdd,
      keepaliveSeconds: keepalive,
      signal: controller.signal,
      log: log.write,
      adopts: true, // nothing else runs in this process
    });
    if (!outcome.ran) {
      if (outcome.canceled) {
        console.error(`runner: ${outcome.error}`);
        return 254; // a canceled job's rc
      }
      console.error(`runner: error: ${outcome.error}`);
      return 1;
    }
    return outcome.result.rc;
  } finally {
    stopListening();
    if (!given || a.delete) await Deno.remove(pdd, { recursive: true }).catch(() => {});
    log.close();
  }
}
