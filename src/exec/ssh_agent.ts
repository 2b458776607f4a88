/**
 * An ssh-agent for one job. The key goes to `ssh-add -` on a pipe, so it is never written to
 * disk; the agent's socket lives in a private 0700 directory removed afterwards.
 */
import { join } from "../runtime/path.ts";
import { sleep } from "../runtime/timer.ts";

/** A running agent: pass `socket` as SSH_AUTH_SOCK, call `stop()` when the job ends. */
export interface SshAgent {
  socket: string;
  stop(): Promise<void>;
}

/** Starts ssh-agent and loads `key` into it. Throws with ssh-add's message on failure. */
export async function startSshAgent(key: string, env: Record<string, string>): Promise<SshAgent> {
  const dir = await Deno.makeTempDir({ prefix: "runner_ssh_" });
  await Deno.chmod(dir, 0o700);
  const socket = join(dir, "agent.sock");
  const agent = new Deno.Command("ssh-agent", {
    args: ["-D", "-a", socket],
    stdin: "null",
    stdout: "null",
    stderr: "null",
    env,
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
    const add = new Deno.Command("ssh-add", {
      args: ["-q", "-"],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      env: { ...env, SSH_AUTH_SOCK: socket, SSH_ASKPASS: "", DISPLAY: "" },
      clearEnv: true,
    }).spawn();
    const w = add.stdin.getWriter();
    await w.write(new TextEncoder().encode(key.endsWith("\n") ? key : key + "\n"));
    await w.close();
    const out = await add.output();
    if (!out.success) {
      const msg = new TextDecoder().decode(out.stderr).trim();
      throw new Error(`ssh-add could not load env/ssh_key: ${msg || `exit ${out.code}`}`);
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { socket, stop };
}
