/**
 * The one job pipeline: a prepared JobSpec runs under a pty; its output is parsed into events,
 * redacted, and handed to the sinks; the artifact dir records everything.
 */
import { join } from "../runtime/path.ts";
import pluginSource from "../events/plugin/awx_display.py" with { type: "text" };
import { EventParser } from "../events/parser.ts";
import { recordToken } from "../events/record_marks.ts";
import { Redactor } from "../events/redact.ts";
import { FileSpill, removeSpill, spilledText } from "../events/spill.ts";
import type { JobEvent } from "../events/event.ts";
import type { JobSpec } from "../config/job_spec.ts";
import { ConfigError, osError } from "../config/errors.ts";
import { runProcess } from "../exec/job_process.ts";
import { KeyNotLoaded, type SshAgent, startSshAgent } from "../exec/ssh_agent.ts";
import { which, whyNotFound } from "../exec/which.ts";
import { becomeSubreaper } from "../exec/libc.ts";
import {
  ArtifactWriter,
  unwrittenSummary,
  writeErrorReporter,
  writePrivateFile,
} from "../sinks/artifacts.ts";
import { pythonJson } from "../sinks/python_json.ts";
import { HttpEmitter } from "../sinks/http.ts";
import {
  dispatchEvent,
  dispatchStatus,
  HandlerFailure,
  type JobSink,
  type JobStatus,
  type StatusInfo,
  untilItThrows,
} from "../sinks/sink.ts";
import { rotateArtifacts } from "./rotate.ts";
import { GcBudget } from "../runtime/gc.ts";
import { claimArtifactDir } from "./artifact_claim.ts";
import { placeRolePlaybook, removeRolePlaybook } from "./role_playbook_file.ts";
import { JobCgroup } from "../../profiling/job_cgroup.ts";
import { type Launch, prepareLaunch, type ShownCommand } from "./launch.ts";
import {
  adoptBytecode,
  bytecodeCacheDir,
  compileBytecode,
  interpreterOf,
} from "./plugin_bytecode.ts";
import { containerName } from "../isolation/container.ts";
import { removeContainer } from "../isolation/container_io.ts";
import { feedKeyThroughFifo, type KeyFifo } from "../exec/key_fifo.ts";
import { Poller } from "../../profiling/poller.ts";
import { ProfilingSink } from "../../profiling/sink.ts";

/** The end of a job. */
export interface JobResult {
  status: JobStatus;
  rc: number;
  ident: string;
  artifactDir: string;
  /** Number of events produced. */
  events: number;
  explanation?: string;
}

/** Events between two full garbage collections (see emitEvent). */
const EVENTS_PER_GC = 20_000;

/** Runtime hooks of {@link executeJob}. */
export interface ExecuteOptions {
  /**
   * Sinks called before the artifacts writer: a false from `event` keeps that event's file out
   * of `job_events/` (its text still goes to `stdout`, and the event to every other sink).
   */
  before?: JobSink[];
  /** Sinks called after the artifacts writer (console, wire, emitters). */
  after?: JobSink[];
  /** Aborting cancels the job. */
  signal?: AbortSignal;
  /** Diagnostics (debug log); secrets never reach it. */
  log?: (msg: string) => void;
  /**
   * This process runs nothing but this job (the command line): every child it adopts is the
   * job's, and goes with it. Not for a library host, whose own children would be among them.
   */
  adopts?: boolean;
}

/**
 * Runs the job to its end. Never throws for job failures. Throws before anything runs on bad
 * input (ConfigError); and, once the artifacts are complete, the error of a sink that threw (it
 * stopped the job) or of a failed handler that stopped it (HandlerFailure).
 */
export async function executeJob(spec: JobSpec, opts: ExecuteOptions = {}): Promise<JobResult> {
  const log = opts.log ?? (() => {});
  becomeSubreaper();
  // An artifact that cannot be written once the job runs (a full disk) is said, once, and the
  // job goes on: its events still reach the console, the wire and the handlers whole.
  const onWriteError = writeErrorReporter(spec.artifactDir, log);
  let artifacts: ArtifactWriter;
  try {
    Deno.mkdirSync(spec.artifactBase, { recursive: true, mode: 0o700 });
    artifacts = new ArtifactWriter({
      dir: spec.artifactDir,
      json: spec.json,
      suppressOutputFile: spec.settings.suppress_output_file,
      onWriteError,
    });
  } catch (e) {
    // Nothing has run yet: bad input, said as such ("File exists", "Permission denied", …).
    const why = osError((e as Error).message).reason;
    throw new ConfigError(`cannot create the artifact dir ${spec.artifactDir}: ${why}`);
  }
  // Held until this function returns or throws: another job's rotation leaves the dir alone.
  const claim = await claimArtifactDir(spec.artifactDir);
  if (claim === "in use") {
    throw new ConfigError(
      `'${spec.ident}' is in use: a job with this ident is running in ${spec.artifactDir}`,
      "--ident",
    );
  }
  using _claim = claim;

  // A sink that throws ends the job ("error"); the ending still reaches the others, and the
  // error goes to the caller once the artifacts are whole (the worker's reader went away, a
  // library handler failed).
  let sinkError: { e: unknown } | null = null;
  const failed = (e: unknown) => sinkError ??= { e };
  /** A step of the job's ending: a sink that throws in it has said so through `failed`. */
  const ending = (step: () => void) => {
    try {
      step();
    } catch (e) {
      failed(e);
    }
  };
  const before = (opts.before ?? []).map((s) => untilItThrows(s, failed));
  const after = (opts.after ?? []).map((s) => untilItThrows(s, failed));
  if (spec.http) after.push(new HttpEmitter(spec.http, { log }));
  /** Every sink, for statuses and the close (`after` grows: the profiler joins it). */
  const sinks = (): JobSink[] => [...before, artifacts, ...after];
  const redactor = new Redactor(spec.secrets);
  const emitStatus = (status: JobStatus, info: Omit<StatusInfo, "runner_ident"> = {}) => {
    dispatchStatus(sinks(), status, { runner_ident: spec.ident, ...info });
  };
  // What events leave behind dies in V8's old space, which grows to several times what lives
  // before a full collection: at 40,000 events a second, 120 MB of peak RSS. Collecting every
  // EVENTS_PER_GC events holds it at ~75 MB, at no cost that shows (see README, Benchmarks).
  const gcBudget = new GcBudget(EVENTS_PER_GC);
  const emitEvent = (ev: JobEvent) => {
    gcBudget.add(1);
    const clean = redactor.event(ev);
    dispatchEvent(clean, before, artifacts, after);
    const spilled = spilledText(ev);
    if (spilled) removeSpill(spilled); // every sink has written it by now
  };

  // The callback plugin travels inside the program and is written next to the job's artifacts
  // (inside them, a container sees it too); it goes when the job ends, with the bytecode Python
  // may have cached beside it, so the artifacts are ansible-runner's set of files.
  const callbackDir = join(spec.artifactDir, "callback");
  try {
    Deno.mkdirSync(callbackDir, { recursive: true, mode: 0o700 });
    writePrivateFile(join(callbackDir, "awx_display.py"), pluginSource);
  } catch (e) {
    // Nothing has run yet: said as the artifact dir's trouble (a full disk, a read-only one),
    // and nothing is left of it (the artifact dir goes too, if this job made it empty).
    for (const dir of [callbackDir, spec.artifactDir]) {
      try {
        Deno.removeSync(dir, { recursive: dir === callbackDir });
      } catch { /* not there, or not empty */ }
    }
    const why = osError((e as Error).message).reason;
    throw new ConfigError(`cannot write the callback plugin into ${callbackDir}: ${why}`);
  }
  const env = { ...spec.env };
  env.ANSIBLE_CALLBACK_PLUGINS = [env.ANSIBLE_CALLBACK_PLUGINS, callbackDir].filter(Boolean).join(
    ":",
  );

  let agent: SshAgent | null = null;
  let cgroup: JobCgroup | null = null;
  let poller: Poller | null = null;
  let launch: Launch | null = null;
  let keyFifo: KeyFifo | null = null;
  let exitedByItself = false;
  /** runner's own children beside the job (a compile): not the job's. */
  const helpers: number[] = [];
  /** Set when the plugin's bytecode is to be compiled into the cache once the job runs. */
  let compile: (() => Promise<void>) | null = null;
  let compiled: Promise<void> | null = null;
  // Large event text goes to a spill file (masked as it is written), never whole into memory.
  const parser = new EventParser({
    ident: spec.ident,
    token: recordToken(spec.marker),
    spill: (uuid) =>
      new FileSpill(
        join(spec.artifactDir, `.stdout-${uuid}`),
        (s) => redactor.text(s),
        redactor.longest,
        (e) => onWriteError(`.stdout-${uuid} (kept in memory)`, e),
      ),
  });
  let result: Omit<JobResult, "events" | "ident" | "artifactDir">;
  const textEvents = (text: string) => {
    for (const ev of parser.push(new TextEncoder().encode(text))) emitEvent(ev);
  };
  /** What ran, where, as ansible-runner records it: set once the launch is prepared. */
  let started: ShownCommand | null = null;
  /** As recorded (keys in ansible-runner's order), the secrets of its environment masked. */
  const recorded = (shown: ShownCommand): ShownCommand => ({
    command: shown.command,
    cwd: shown.cwd,
    env: redactor.value(shown.env),
  });
  /** The program itself, where no sandbox or container wraps it (or none was prepared). */
  const unwrapped = (): ShownCommand => ({ command: spec.argv, cwd: spec.cwd, env });
  let announced = false;
  /**
   * The bookkeeping of a start that the job need not wait for, done as soon as it runs
   * (Python takes a few hundred milliseconds before it reads anything runner writes here):
   * `job_events/`, `stdout` and `command`, the starting status, the plugin's bytecode, the
   * fact cache dir, rotation. Done before the end of a job that could not start, too.
   */
  const announce = () => {
    if (announced || !started) return;
    announced = true;
    artifacts.open();
    // Laid out as ansible-runner's json.dump(…, ensure_ascii=False) writes it.
    artifacts.writeFile("command", pythonJson(JSON.stringify(started), { ascii: false }));
    emitStatus("starting", started);
    placeBytecode();
    // Facts are the hosts' data: Ansible would make the dir world-readable (0755). Ansible
    // writes facts only after a task has gathered them, long after this; chmod all the same.
    if (spec.factCacheDir) {
      try {
        Deno.mkdirSync(spec.factCacheDir, { recursive: true, mode: 0o700 });
        Deno.chmodSync(spec.factCacheDir, 0o700);
      } catch (e) {
        onWriteError("fact_cache", e as Error);
      }
    }
    if (spec.rotateArtifacts > 0) {
      rotateArtifacts(spec.artifactBase, spec.rotateArtifacts, spec.ident, log);
    }
  };
  /** Whether this job made the project dir for its role playbook (to remove it after). */
  let madeProjectDir = false;
  /** Puts the plugin's cached bytecode beside it, or has it compiled once the job runs. */
  let placeBytecode = () => {};
  try {
    for (const f of [spec.extravarsCopy, spec.extravarsFile]) {
      if (f) writePrivateFile(f.path, f.text);
    }
    if (spec.generatedPlaybook) {
      const pb = spec.generatedPlaybook;
      madeProjectDir = placeRolePlaybook(pb.path, pb.content);
    }
    // Where ansible-runner puts the key's FIFO: what ssh-add prints names it.
    const keyPath = join(spec.artifactDir, "ssh_key_data");
    if (spec.sshKey && spec.container) {
      keyFifo = await feedKeyThroughFifo(keyPath, spec.sshKey);
    } else if (spec.sshKey) {
      agent = await startSshAgent(spec.sshKey, {
        env,
        fifo: keyPath,
        prompts: spec.prompts,
        signal: opts.signal,
      });
      env.SSH_AUTH_SOCK = agent.socket;
    }
    if (spec.profiling) {
      cgroup = JobCgroup.create(spec.profiling.baseCgroup, spec.ident);
      poller = new Poller(
        cgroup,
        spec.profiling.resultsDir,
        spec.profiling.intervals,
        writeErrorReporter(spec.profiling.resultsDir, log),
      );
      after.push(new ProfilingSink(poller));
    }
    const file = spec.container ? null : which(spec.argv[0], env.PATH, spec.cwd);
    // In a container the program is found inside the image, not on this host.
    if (file || spec.container) {
      launch = prepareLaunch(spec, file ?? spec.argv[0], env, {
        cgroup,
        sshKeyFifo: keyFifo?.path,
        sshAgentSocket: agent?.socket,
      });
    }
    // A container's Python is the image's: only a job run here can use bytecode made here.
    const interpreter = file && !spec.container ? interpreterOf(file) : null;
    const cacheDir = interpreter &&
      bytecodeCacheDir(
        { XDG_CACHE_HOME: Deno.env.get("XDG_CACHE_HOME"), HOME: Deno.env.get("HOME") },
        interpreter,
      );
    if (interpreter && cacheDir) {
      placeBytecode = () => {
        if (adoptBytecode(cacheDir, callbackDir, pluginSource)) {
          log(`callback bytecode from ${cacheDir}`);
        } else {
          compile = () =>
            compileBytecode(cacheDir, pluginSource, interpreter, env.PATH, log, (pid) => {
              helpers.push(pid);
            });
        }
      };
    }
    // A sandbox's or container's command line, as ansible-runner records it.
    started = recorded(launch?.shown ?? unwrapped());

    if (!launch) {
      announce();
      const msg = `runner: cannot run '${spec.argv[0]}': ${
        whyNotFound(spec.argv[0], env.PATH, spec.cwd)
      }`;
      textEvents(msg + "\r\n");
      artifacts.writeStderr(msg + "\n");
      result = { status: "failed", rc: 127, explanation: msg };
    } else {
      log(`launching ${JSON.stringify(launch.argv)} in ${launch.cwd}`);
      const end = await runProcess({
        file: launch.file,
        argv: launch.argv,
        env: launch.env,
        cwd: launch.cwd,
        prompts: spec.prompts,
        idleTimeout: spec.idleTimeout,
        jobTimeout: spec.jobTimeout,
        signal: opts.signal,
        marker: spec.marker,
        // Should runner be killed outright, its guard removes these (the agent's dir, and
        // extravars passed by file, too).
        temps: [
          ...launch.temps,
          ...agent ? [agent.dir] : [],
          ...spec.extravarsFile ? [spec.extravarsFile.path] : [],
        ],
        adopts: opts.adopts,
        helpers: () => helpers,
        onStart: (pid) => {
          log(`job pid ${pid}`);
          announce();
          poller?.start();
          emitStatus("running");
          // ssh-add's lines open the job's stdout, as where ansible-runner runs it in the job.
          if (agent?.output) textEvents(agent.output);
          compiled = compile?.() ?? null; // beside the job, not before it
        },
        onOutput: (bytes) => {
          for (const ev of parser.push(bytes)) emitEvent(ev);
        },
        // The poller learns of a task from its start event: batching would blur the boundary.
        batchMs: poller ? 0 : undefined,
      });
      exitedByItself = end.end === "exited";
      // A cancelCallback that threw stopped the job: an error of the caller's, not a cancel.
      if (opts.signal?.reason instanceof HandlerFailure) throw opts.signal.reason;
      for (const ev of parser.end()) emitEvent(ev);
      artifacts.writeStderr("");
      if (end.end === "timeout") {
        result = { status: "timeout", rc: 254, explanation: "Job timed out" };
      } else if (end.end === "canceled") {
        result = { status: "canceled", rc: 254, explanation: "Job was canceled" };
      } else {
        result = { status: end.rc === 0 ? "successful" : "failed", rc: end.rc };
      }
    }
  } catch (thrown) {
    // Stopped for a failure outside the job (see HandlerFailure), that failure is the cause,
    // whatever was thrown on the way out.
    const reason = opts.signal?.reason;
    const e = reason instanceof HandlerFailure ? reason : thrown;
    // A job that failed before its launch was prepared (ssh-add) records the program it was
    // to run, as ansible-runner records its command before anything of the job runs.
    started ??= recorded(unwrapped());
    ending(announce); // a launch that failed to start is recorded as one that ran
    const msg = `runner: ${(e as Error).message}`;
    log(msg);
    ending(() => {
      // What ssh-add printed comes first, as in ansible-runner's stdout.
      if (e instanceof KeyNotLoaded && e.output) {
        textEvents(e.output.replace(/(?<!\r\n)$/, "\r\n"));
      }
      textEvents(msg + "\r\n");
      for (const ev of parser.end()) emitEvent(ev);
    });
    artifacts.writeStderr(msg + "\n");
    if (opts.signal?.aborted && !(e instanceof HandlerFailure)) {
      // Canceled while it was starting (an ssh-add at its prompt): canceled all the same.
      result = { status: "canceled", rc: 254, explanation: "Job was canceled" };
    } else {
      // A key ssh-add did not load fails the job, as ansible-runner's `ssh-add KEY && …` does.
      result = { status: e instanceof KeyNotLoaded ? "failed" : "error", rc: 1, explanation: msg };
    }
  } finally {
    // A container outlives its killed client: remove it unless the job ended by itself.
    if (spec.container && !exitedByItself) {
      await removeContainer(spec.container.engine, containerName(spec.ident), log);
    }
    await keyFifo?.close();
    launch?.cleanup();
    await compiled;
    try {
      Deno.removeSync(callbackDir, { recursive: true });
    } catch { /* a container's user may own its bytecode: leave what cannot go */ }
    poller?.stop();
    await cgroup?.remove();
    await agent?.stop();
    if (spec.generatedPlaybook) {
      await removeRolePlaybook(spec.generatedPlaybook.path, madeProjectDir);
    }
    if (spec.extravarsFile) await Deno.remove(spec.extravarsFile.path).catch(() => {});
  }
  ending(() => emitStatus(result.status, { rc: result.rc, job_explanation: result.explanation }));
  for (const s of sinks()) {
    try {
      await s.close?.();
    } catch (e) {
      failed(e);
    }
  }
  unwrittenSummary(artifacts);
  if (sinkError) throw (sinkError as { e: unknown }).e;
  if (opts.signal?.reason instanceof HandlerFailure) throw opts.signal.reason;
  return { ...result, ident: spec.ident, artifactDir: spec.artifactDir, events: parser.counter };
}
