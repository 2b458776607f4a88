/**
 * An ssh-agent for one job, loaded with `env/ssh_key` as ansible-runner loads it: `ssh-add`
 * reads the key from a FIFO (never from disk) on a terminal of its own, so that a key's
 * passphrase prompt is answered from `env/passwords` (AWX's "Enter passphrase for .*:"), and
 * what it prints ("Identity added: …") opens the job's stdout. The agent's socket lives in a
 * private 0700 directory removed afterwards.
 */
import { join } from "../runtime/path.ts";
import { monotonicMs, sleep } from "../runtime/timer.ts";
import { PromptMatcher, type PromptRule } from "./expect.ts";
import { feedKeyThroughFifo } from "./key_fifo.ts";
import { exitCode, tryWait } from "./libc.ts";
import { spawnPty } from "./pty.ts";
import { which } from "./which.ts";

/** A running agent: pass `socket` as SSH_AUTH_SOCK, call `stop()` when the job ends. */
export interface SshAgent {
  socket: string;
  /** The agent's private dir (the socket's), removed by stop(). */
  dir: string;
  /** What ssh-add printed on its terminal (prompts, "Identity added: …"), for the job's stdout. */
  output: string;
  stop(): Promise<void>;
}

/** Inputs of {@link startSshAgent}. */
export interface SshAgentOptions {
  /** The job's environment (ssh-agent and ssh-add run in it). */
  env: Record<string, string>;
  /** Where the key's FIFO goes while ssh-add reads it (ansible-runner's `<artifacts>/ssh_key_data`). */
  fifo: string;
  /** `env/passwords`: a passphrase prompt is answered from them. */
  prompts: PromptRule[];
  /** Aborting stops the loading. */
  signal?: AbortSignal;
}

/** Starts ssh-agent and loads `key` into it. Throws with what went wrong on failure. */
export async function startSshAgent(key: string, opts: SshAgentOptions): Promise<SshAgent> {
  const program = which("ssh-agent", opts.env.PATH, "/");
  if (!program) {
    throw new Error(`ssh-agent is not in PATH (${opts.env.PATH}): env/ssh_key needs it`);
  }
  const dir = await Deno.makeTempDir({ prefix: "runner_ssh_" });
  await Deno.chmod(dir, 0o700);
  const socket = join(dir, "agent.sock");
  const agent = new Deno.Command(program, {
    args: ["-D", "-a", socket],
    stdin: "null",
    stdout: "null",
    stderr: "null",
    env: opts.env,
    clearEnv: true,
  }).spawn();
  const stop = async () => {
    try {
      agent.kill("SIGTERM");
    } catch { /* already gone */ }
    await agent.status;
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  try {
    for (let i = 0; i < 200; i++) {
      try {
        await Deno.lstat(socket);
        break;
      } catch {
        await sleep(10);
      }
    }
    const fifo = await feedKeyThroughFifo(opts.fifo, key);
    try {
      // Prompts on the terminal only, never through an askpass program.
      const env = { ...opts.env, SSH_AUTH_SOCK: socket, SSH_ASKPASS_REQUIRE: "never", DISPLAY: "" };
      const output = await addKey(fifo.path, env, opts.prompts, opts.signal);
      return { socket, dir, output, stop };
    } finally {
      await fifo.close();
    }
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * ssh-add ran and did not load the key: the job fails (rc 1) as ansible-runner's does, whose
 * command line starts with `ssh-add KEY &&`. `output` is what ssh-add printed.
 */
export class KeyNotLoaded extends Error {
  constructor(message: string, readonly output: string) {
    super(message);
    this.name = "KeyNotLoaded";
  }
}

/** How long ssh-add may sit at a prompt runner did not answer before it is given up on. */
const UNANSWERED_MS = 1000;
const REFUSED = "ssh-add refused the passphrase env/passwords gives for env/ssh_key";
/** Answers given before a key's passphrase counts as refused (ssh-add asks again forever). */
const MAX_ANSWERS = 3;

/** Runs `ssh-add FILE` on a pty, answering prompts; resolves to what it printed. */
async function addKey(
  file: string,
  env: Record<string, string>,
  prompts: PromptRule[],
  signal?: AbortSignal,
): Promise<string> {
  const program = which("ssh-add", env.PATH, "/");
  if (!program) throw new Error(`ssh-add is not in PATH (${env.PATH}): env/ssh_key needs it`);
  const proc = spawnPty({ file: program, argv: ["ssh-add", file], env, cwd: "/" });
  const watch = new KeyPrompts(prompts);
  const decoder = new TextDecoder();
  let lastOutput = monotonicMs();
  let status: number | null = null;
  try {
    for (;;) {
      const chunk = await proc.read(100);
      if (chunk === null) break; // ssh-add's end closed the terminal
      if (chunk.length) {
        lastOutput = monotonicMs();
        for (const answer of watch.feed(decoder.decode(chunk, { stream: true }))) {
          proc.write(answer);
        }
        continue;
      }
      status = tryWait(proc.pid);
      if (status !== null) break;
      if (signal?.aborted) throw new Error("canceled while ssh-add was loading env/ssh_key");
      const stuck = watch.stuck(monotonicMs() - lastOutput >= UNANSWERED_MS);
      if (stuck) throw new KeyNotLoaded(stuck, watch.output);
    }
    status ??= await proc.reap();
  } finally {
    if (status === null) {
      try {
        Deno.kill(proc.pid, "SIGKILL");
      } catch { /* gone */ }
      status = await proc.reap(1000);
    }
    proc.close();
  }
  const rc = exitCode(status ?? -1);
  if (rc !== 0) throw new KeyNotLoaded(watch.failure(rc), watch.output);
  return watch.output;
}

/**
 * ssh-add's side of the terminal as a pure state machine: its output in, answers out, and
 * whether it waits at a prompt runner cannot answer (none of `env/passwords` matches it, or
 * the passphrase given was refused and it asks again).
 */
export class KeyPrompts {
  #matcher: PromptMatcher;
  /** Everything printed, for the job's stdout. */
  output = "";
  /** What was printed since the last answer. */
  #sinceAnswer = "";
  #answers = 0;

  constructor(rules: PromptRule[]) {
    this.#matcher = new PromptMatcher(rules);
  }

  /** Adds output; returns the answers to write. */
  feed(text: string): string[] {
    this.output += text;
    this.#sinceAnswer += text;
    const answers = this.#matcher.feed(text);
    if (answers.length) {
      this.#answers += answers.length;
      this.#sinceAnswer = "";
    }
    return answers;
  }

  /** Why ssh-add ended with `rc`: a passphrase refused (AWX answers the second ask with an
   * empty line, and ssh-add gives up), or its own last words. */
  failure(rc: number): string {
    const last = lastLine(this.output);
    if (this.#answers && /passphrase/i.test(last)) {
      return `${REFUSED}: ssh-add gave up at "${last}"`;
    }
    return `ssh-add could not load env/ssh_key: ${last || `exit ${rc}`}`;
  }

  /**
   * Why ssh-add cannot go on, or null: it has answered too often, or (when `quiet`: nothing
   * came for a while) it sits at a prompt, a last line without its line break.
   */
  stuck(quiet: boolean): string | null {
    if (this.#answers > MAX_ANSWERS) {
      return `${REFUSED} ${this.#answers} times`;
    }
    const prompt = /[^\r\n]*$/.exec(this.#sinceAnswer)![0].trim();
    if (!quiet || !prompt) return null;
    return this.#answers
      ? `${REFUSED}: it asks "${prompt}"`
      : `env/ssh_key needs a passphrase: ssh-add asks "${prompt}" and no pattern in ` +
        `env/passwords matches it (AWX's is "Enter passphrase for .*:\\s*?$")`;
  }
}

function lastLine(text: string): string {
  return text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean).at(-1) ?? "";
}
