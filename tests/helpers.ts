/** Helpers for end-to-end tests: temporary private data dirs and running the real CLI. */
import { join } from "node:path";

/** The repository root. */
export const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const DENO = Deno.execPath();

/** The local-connection inventory every test uses. */
export const LOCAL_INVENTORY =
  "localhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n";

/** Creates a private data dir from a map of relative paths to contents (0700 root). */
/**
 * Builds the single-file bundle into `out` exactly as `deno task bundle` does (its flags are
 * read from deno.json, so the tests run what users build).
 */
export async function buildBundle(out: string): Promise<void> {
  const config = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json")));
  const words = String(config.tasks.bundle).split(" ").slice(1);
  const args = words.map((w) =>
    w === "dist/runner.js" ? out : w === "main.ts" ? join(ROOT, "main.ts") : w
  );
  const built = await new Deno.Command(Deno.execPath(), {
    args: [args[0], "--quiet", ...args.slice(1)],
    cwd: ROOT,
  }).output();
  if (!built.success) {
    throw new Error(`deno bundle failed: ${new TextDecoder().decode(built.stderr)}`);
  }
}

export async function makePdd(files: Record<string, string>): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "runner_test_" });
  for (const [rel, text] of Object.entries(files)) {
    const path = join(dir, rel);
    await Deno.mkdir(join(path, ".."), { recursive: true });
    await Deno.writeTextFile(path, text);
  }
  return dir;
}

/** A pdd with an inventory and one playbook `test.yml`. */
export function playbookPdd(playbook: string, extra: Record<string, string> = {}): Promise<string> {
  return makePdd({ "inventory/hosts": LOCAL_INVENTORY, "project/test.yml": playbook, ...extra });
}

/** Output of one CLI run. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `runner ARGS` from source (or the given entry) and waits for it. */
export async function runner(
  args: string[],
  opts: { env?: Record<string, string>; cwd?: string; entry?: string } = {},
): Promise<CliResult> {
  const t0 = performance.now();
  const out = await new Deno.Command(DENO, {
    args: ["run", "-A", "--no-lock", opts.entry ?? join(ROOT, "main.ts"), ...args],
    cwd: opts.cwd ?? ROOT,
    env: { NO_COLOR: "1", ...opts.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
    ms: performance.now() - t0,
  };
}

/** Starts `runner ARGS` without waiting (for signal tests). */
export function spawnRunner(args: string[], env: Record<string, string> = {}): Deno.ChildProcess {
  return new Deno.Command(DENO, {
    args: ["run", "-A", "--no-lock", join(ROOT, "main.ts"), ...args],
    cwd: ROOT,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** A job event as read back from `job_events/`. */
export type EventFile = Record<string, unknown> & {
  counter: number;
  event: string;
  stdout: string;
  start_line: number;
  end_line: number;
  uuid: string;
  event_data?: Record<string, unknown>;
};

/** Reads `job_events/*.json` of an artifact dir, in counter order. */
export async function readEvents(artifactDir: string): Promise<EventFile[]> {
  const dir = join(artifactDir, "job_events");
  const events: EventFile[] = [];
  for await (const e of Deno.readDir(dir)) {
    events.push(JSON.parse(await Deno.readTextFile(join(dir, e.name))));
  }
  return events.sort((a, b) => a.counter - b.counter);
}

/** Reads a small artifact file. */
export function artifact(pdd: string, ident: string, name: string): Promise<string> {
  return Deno.readTextFile(join(pdd, "artifacts", ident, name));
}

/** Every file under `dir`, recursively. */
export async function walkFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) out.push(...await walkFiles(p));
    else if (e.isFile) out.push(p);
  }
  return out;
}

/** pids of live (non-zombie) processes whose environment holds NAME=VALUE. */
export function processesWithEnv(name: string, value: string): number[] {
  const needle = `\0${name}=${value}\0`;
  const pids: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const env = "\0" + new TextDecoder().decode(Deno.readFileSync(`/proc/${e.name}/environ`));
      const stat = Deno.readTextFileSync(`/proc/${e.name}/stat`);
      if (env.includes(needle) && stat.split(") ")[1]?.[0] !== "Z") pids.push(Number(e.name));
    } catch { /* gone */ }
  }
  return pids;
}

/** Removes a test's temporary dir. */
export function cleanup(dir: string): Promise<void> {
  return Deno.remove(dir, { recursive: true }).catch(() => {});
}

/** Reads a child's stdout until `text` appears; returns the reader to cancel later. */
export async function waitForOutput(
  child: Deno.ChildProcess,
  text: string,
): Promise<ReadableStreamDefaultReader<string>> {
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!seen.includes(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`output ended before ${JSON.stringify(text)}: ${seen.slice(-300)}`);
    seen += value;
  }
  return reader;
}

/** Makes an ed25519 key with `comment` (unencrypted without a passphrase); returns its private key text. */
export async function makeSshKey(comment: string, passphrase = ""): Promise<string> {
  const dir = await Deno.makeTempDir();
  try {
    await new Deno.Command("ssh-keygen", {
      args: ["-q", "-t", "ed25519", "-N", passphrase, "-C", comment, "-f", join(dir, "k")],
    }).output();
    return await Deno.readTextFile(join(dir, "k"));
  } finally {
    await cleanup(dir);
  }
}

/** The marker runner put in a job's environment (from its command artifact). */
export async function jobMarker(pdd: string, ident: string): Promise<string> {
  return JSON.parse(await artifact(pdd, ident, "command")).env.RUNNER_JOB_MARKER;
}

/** Files under `dir` (except those ending in `except`) that contain any of `needles`. */
export async function filesContaining(
  dir: string,
  needles: string[],
  except?: string,
): Promise<string[]> {
  const hits: string[] = [];
  for (const f of await walkFiles(dir)) {
    if (except && f.endsWith(except)) continue;
    const text = await Deno.readTextFile(f);
    if (needles.some((n) => text.includes(n))) hits.push(f);
  }
  return hits;
}

/**
 * Debian 13's ansible-runner and ansible-core, unpacked by .ci/fetch-newer-ansible.sh:
 * `env` selects them (PATH, PYTHONPATH), `versions` maps each package to its Debian version;
 * null when they are not there.
 */
export interface NewerAnsible {
  dir: string;
  env: Record<string, string>;
  versions: Map<string, string>;
  /** ansible-runner 2.4's command line (Debian's /usr/bin/python3 and its script). */
  ansibleRunner: string[];
}

/** Where .ci/fetch-newer-ansible.sh unpacks. */
export const NEWER_ANSIBLE_DIR = join(
  Deno.env.get("XDG_CACHE_HOME") || join(Deno.env.get("HOME") ?? "/root", ".cache"),
  "runner-tests/trixie-ansible",
);

/** The unpacked newer Ansible, or null (the caller fails a test saying how to fetch it). */
export async function newerAnsible(): Promise<NewerAnsible | null> {
  const dir = NEWER_ANSIBLE_DIR;
  const text = await Deno.readTextFile(join(dir, "VERSIONS")).catch(() => null);
  if (text === null) return null;
  const versions = new Map(text.trim().split("\n").map((l) => l.split(" ") as [string, string]));
  const env = {
    PATH: `${join(dir, "usr/bin")}:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`,
    PYTHONPATH: join(dir, "usr/lib/python3/dist-packages"),
  };
  const ansibleRunner = [
    "env",
    `PATH=${env.PATH}`,
    `PYTHONPATH=${env.PYTHONPATH}`,
    "/usr/bin/python3",
    join(dir, "usr/bin/ansible-runner"),
  ];
  return { dir, env, versions, ansibleRunner };
}

/** Whether anything (a file, dir, FIFO, socket or link) is at `path`. */
export function exists(path: string): Promise<boolean> {
  return Deno.lstat(path).then(() => true, () => false);
}

/**
 * Mounts a tmpfs of `size` (e.g. "400k") on the dir `dir` for a disk that fills up; the
 * returned function unmounts it. Needs root, as CI has: a test that cannot mount fails.
 */
export async function mountSmallDisk(dir: string, size: string): Promise<() => Promise<void>> {
  const mounted = await new Deno.Command("mount", {
    args: ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir],
    stderr: "piped",
  }).output();
  if (!mounted.success) {
    throw new Error(
      `this test mounts a small tmpfs (it needs root): ${
        new TextDecoder().decode(mounted.stderr).trim()
      }`,
    );
  }
  return async () => {
    await new Deno.Command("umount", { args: [dir] }).output();
  };
}
