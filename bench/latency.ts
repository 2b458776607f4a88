/**
 * How long each runner takes around its job, beside Debian's Python ansible-runner: from the
 * runner's start to the start of ansible-playbook, and from ansible-playbook's end to the
 * runner's exit. A stand-in `ansible-playbook` first on PATH notes both moments (bash's
 * EPOCHREALTIME, no fork) and runs the real one. Unlike the demo's wall-time ratio, these
 * figures do not move with Ansible's own run time, which drifts by tens of milliseconds here.
 * A third row is the floor under Deno: a two-line script that only spawns ansible-playbook and
 * exits with its status, started as runner is (same flags), so runner's own share shows.
 * Prints figures; asserts nothing. Usage: `deno run -A bench/latency.ts [--quick]`.
 */
import { join } from "node:path";
import { benchBundle } from "./bundle.ts";
import { V8_FLAGS } from "../src/cli/self_exec.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const ROUNDS = Deno.args.includes("--quick") ? 3 : 11;

const dir = await Deno.makeTempDir({ prefix: "runner_latency_", dir: "/dev/shm" });
const pdd = join(dir, "pdd");
const bin = join(dir, "bin");
const log = join(dir, "moments");
await Deno.mkdir(join(pdd, "inventory"), { recursive: true });
await Deno.mkdir(join(pdd, "project"), { recursive: true });
await Deno.mkdir(bin);
await Deno.writeTextFile(
  join(pdd, "inventory/hosts"),
  "localhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n",
);
await Deno.copyFile(join(ROOT, "demo/project/test.yml"), join(pdd, "project/test.yml"));
await Deno.writeTextFile(
  join(bin, "ansible-playbook"),
  `#!/bin/bash\necho "$EPOCHREALTIME" >> ${log}\n/usr/bin/ansible-playbook "$@"\nrc=$?\necho "$EPOCHREALTIME" >> ${log}\nexit $rc\n`,
  { mode: 0o755 },
);

const bundle = await benchBundle(); // what users run: the bundle, outside the repo
const floor = join(dir, "floor.js");
await Deno.writeTextFile(
  floor,
  `const args = ["-i", "${pdd}/inventory", "test.yml"];\n` +
    `const c = new Deno.Command("ansible-playbook", { args, cwd: "${pdd}/project" }).spawn();\n` +
    "Deno.exit((await c.status).code);\n",
);

let n = 0;
const runners: Record<string, () => string[]> = {
  "ansible-runner (py)": () => ["/usr/bin/ansible-runner", "run", pdd, "-p", "test.yml"],
  "runner": () => [Deno.execPath(), "run", "-A", V8_FLAGS, bundle, "run", pdd, "-p", "test.yml"],
  "deno floor": () => [Deno.execPath(), "run", "-A", V8_FLAGS, floor], // ignores -i IDENT
};

/** Milliseconds since the epoch, to the microsecond, on the clock bash's EPOCHREALTIME reads. */
const now = () => performance.timeOrigin + performance.now();

async function once(argv: string[]): Promise<{ before: number; after: number }> {
  await Deno.remove(log).catch(() => {});
  const t0 = now();
  const { code } = await new Deno.Command(argv[0], {
    args: [...argv.slice(1), "-i", `l${n++}`],
    env: { PATH: `${bin}:${Deno.env.get("PATH")}`, NO_COLOR: "1" },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).output();
  const t3 = now();
  const [t1, t2] = (await Deno.readTextFile(log)).trim().split("\n").map((s) => Number(s) * 1000);
  if (code !== 0 || !(t2 >= t1)) throw new Error(`${argv.join(" ")}: exit ${code}`);
  return { before: t1 - t0, after: t3 - t2 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const samples = new Map<string, { before: number[]; after: number[] }>(
  Object.keys(runners).map((k) => [k, { before: [], after: [] }]),
);
try {
  for (const argv of Object.values(runners)) await once(argv()); // code caches, page cache
  for (let i = 0; i < ROUNDS; i++) {
    const order = Object.entries(runners);
    if (i % 2) order.reverse(); // none always first or last in a round
    for (const [name, argv] of order) {
      const s = await once(argv());
      samples.get(name)!.before.push(s.before);
      samples.get(name)!.after.push(s.after);
    }
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}

const ms = (x: number) => `${x.toFixed(1)} ms`.padStart(9);
console.log(
  `\ntime around the demo job (medians of ${ROUNDS} interleaved rounds; the stand-in ` +
    "ansible-playbook's own bash start, ~1 ms, is in the first column)\n",
);
console.log(
  "runner               | start → ansible-playbook starts | ansible-playbook ends → exit",
);
for (const [name, s] of samples) {
  console.log(
    `${name.padEnd(20)} | ${ms(median(s.before)).padEnd(31)} | ${ms(median(s.after))}`,
  );
}
