/**
 * Benchmarks of `runner run` beside Debian's Python ansible-runner and raw ansible-playbook.
 * Prints figures; asserts nothing. Usage: `deno task bench [--quick]`; with `--tmpfs` the
 * private data dirs (and so the artifacts) live in /dev/shm, which takes the disk's file
 * creation cost out of the own-CPU figures (on ext4 mounted with `discard` it swings tenfold).
 *
 * Own CPU and peak RSS are those of the runner process itself (children excluded), sampled
 * from /proc every 10 ms, for both runners alike.
 */
import { join } from "node:path";
import { benchBundle } from "./bundle.ts";
import { V8_FLAGS } from "../src/cli/self_exec.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const QUICK = Deno.args.includes("--quick");
const REPEAT = QUICK ? 1 : 3;
/** The demo is short and its ratio has the tightest target: more rounds. */
const DEMO_ROUNDS = QUICK ? 1 : 11;
const TMPFS = Deno.args.includes("--tmpfs");
const TICKS = 100; // USER_HZ
const INVENTORY_LOCAL = "ansible_connection=local ansible_python_interpreter=/usr/bin/python3";

interface Sample {
  wallMs: number;
  cpuMs: number;
  rssMiB: number;
  code: number;
}

async function measure(argv: string[], cwd: string): Promise<Sample> {
  const t0 = performance.now();
  const child = new Deno.Command(argv[0], {
    args: argv.slice(1),
    cwd,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  let cpu = 0;
  let rss = 0;
  let done = false;
  const status = child.status.then((s) => {
    done = true;
    return s;
  });
  while (!done) {
    try {
      const stat = Deno.readTextFileSync(`/proc/${child.pid}/stat`);
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (f[0] !== "Z") cpu = (Number(f[11]) + Number(f[12])) * 1000 / TICKS;
      const hwm = /VmHWM:\s+(\d+)/.exec(Deno.readTextFileSync(`/proc/${child.pid}/status`));
      if (hwm) rss = Math.max(rss, Number(hwm[1]) / 1024);
    } catch { /* exiting */ }
    await Promise.race([status, new Promise((r) => setTimeout(r, 10))]);
  }
  return { wallMs: performance.now() - t0, cpuMs: cpu, rssMiB: rss, code: (await status).code };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function summary(samples: Sample[]): Sample {
  return {
    wallMs: median(samples.map((s) => s.wallMs)),
    cpuMs: median(samples.map((s) => s.cpuMs)),
    rssMiB: median(samples.map((s) => s.rssMiB)), // the first run also builds the code cache
    code: samples[0].code,
  };
}

/**
 * Medians of `repeat` rounds, each running every command once in turn: this machine's speed
 * drifts by tens of percent over minutes, and interleaving makes the drift touch all alike.
 * Every other round runs them in reverse order, so that no command always goes first (after
 * the previous round's last) or last. `ratio` is the median over rounds of each command's wall
 * time ÷ the first command's in the same round, which cancels the drift between rounds too.
 */
async function rounds(commands: (() => string[])[], cwd: string, repeat = REPEAT) {
  const samples: Sample[][] = commands.map(() => []);
  for (let i = 0; i < repeat; i++) {
    const order = [...commands.keys()];
    if (i % 2) order.reverse();
    const round: Sample[] = [];
    for (const k of order) round[k] = await measure(commands[k](), cwd);
    round.forEach((s, k) => samples[k].push(s));
  }
  return samples.map((xs) => ({
    ...summary(xs),
    ratio: median(xs.map((x, i) => x.wallMs / samples[0][i].wallMs)),
  }));
}

async function makePdd(hosts: number, playbook: string): Promise<string> {
  const dir = await Deno.makeTempDir({
    prefix: "runner_bench_",
    dir: TMPFS ? "/dev/shm" : undefined,
  });
  await Deno.mkdir(join(dir, "inventory"), { recursive: true });
  await Deno.mkdir(join(dir, "project"), { recursive: true });
  const lines = Array.from({ length: hosts }, (_, i) => `h${i} ${INVENTORY_LOCAL}`);
  await Deno.writeTextFile(join(dir, "inventory/hosts"), lines.join("\n") + "\n");
  await Deno.writeTextFile(join(dir, "project/test.yml"), playbook);
  return dir;
}

function countEvents(pdd: string, ident: string): number {
  return [...Deno.readDirSync(join(pdd, "artifacts", ident, "job_events"))].length;
}

const DENO = Deno.execPath();
/** What users run: the bundle, outside the repo. */
const bundle = await benchBundle();
let n = 0;
/** The ident of the last run of each runner (its events are counted). */
const last = { ours: "", python: "" };
const ours = (pdd: string) => () => [
  DENO,
  "run",
  "-A",
  V8_FLAGS,
  bundle,
  "run",
  pdd,
  "-p",
  "test.yml",
  "-i",
  last.ours = `o${n++}`,
];
const python = (pdd: string) => () => [
  "/usr/bin/ansible-runner",
  "run",
  pdd,
  "-p",
  "test.yml",
  "-i",
  last.python = `p${n++}`,
];
/** What runner runs, where it runs it (the project dir). */
const raw = (pdd: string) => () => ["ansible-playbook", "-i", join(pdd, "inventory"), "test.yml"];

const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const rows: string[][] = [];

async function scenario(name: string, hosts: number, playbook: string, repeat = REPEAT) {
  const pdd = await makePdd(hosts, playbook);
  try {
    const [r, p, o] = await rounds(
      [raw(pdd), python(pdd), ours(pdd)],
      join(pdd, "project"),
      repeat,
    );
    const evP = countEvents(pdd, last.python);
    const evO = countEvents(pdd, last.ours);
    rows.push([
      name,
      fmt(r.wallMs),
      `${fmt(p.wallMs)} (${p.ratio.toFixed(2)}×)`,
      `${fmt(o.wallMs)} (${o.ratio.toFixed(2)}×)`,
      `${(p.cpuMs / evP).toFixed(2)} / ${(o.cpuMs / evO).toFixed(2)} ms`,
      `${p.rssMiB.toFixed(0)} / ${o.rssMiB.toFixed(0)} MiB`,
      `${evP} / ${evO}`,
    ]);
  } finally {
    // Deleting files makes the next file creations on this machine's disk (ext4, discard)
    // cost far more kernel time: remove everything only after the last measurement.
    scratchDirs.push(pdd);
  }
}

const scratchDirs: string[] = [];

const demo = await Deno.readTextFile(join(ROOT, "demo/project/test.yml"));
await scenario("demo", 1, demo, DEMO_ROUNDS);
const tasks = Array.from(
  { length: 20 },
  (_, i) => `    - name: task ${i}\n      ansible.builtin.debug: msg=t${i}\n`,
).join("");
await scenario(
  "50 hosts × 20 tasks",
  QUICK ? 10 : 50,
  `- hosts: all\n  gather_facts: false\n  tasks:\n${tasks}`,
);
await scenario(
  "loop of 5,000 items",
  1,
  `- hosts: all\n  gather_facts: false\n  tasks:\n    - ansible.builtin.debug: msg={{ item }}\n      loop: "{{ range(${
    QUICK ? 1000 : 5000
  }) | list }}"\n`,
);
await scenario(
  "200,000 output lines",
  1,
  `- hosts: all\n  gather_facts: false\n  tasks:\n    - ansible.builtin.command: seq -f 'output line number %06g of the large task' ${
    QUICK ? 20000 : 200000
  }\n      register: out\n    - ansible.builtin.debug: var=out.stdout_lines\n`,
);

const [v, vp] = await rounds([
  () => [DENO, "run", "-A", V8_FLAGS, bundle, "--version"],
  () => ["/usr/bin/ansible-runner", "--version"],
], ROOT);

const header = [
  "scenario",
  "ansible-playbook",
  "ansible-runner (py)",
  "runner",
  "own CPU / event (py / runner)",
  "peak RSS (py / runner)",
  "events (py / runner)",
];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join(" | ");
console.log(
  `\nrunner benchmarks (medians of ${REPEAT} interleaved rounds, the demo ${DEMO_ROUNDS}; × is the ` +
    "median of each round's ratio to ansible-playbook; own CPU and RSS exclude children)\n",
);
console.log(line(header));
console.log(widths.map((w) => "-".repeat(w)).join("-|-"));
for (const r of rows) console.log(line(r));
for (const d of scratchDirs) await Deno.remove(d, { recursive: true });
console.log(
  `\n--version: ansible-runner ${fmt(vp.wallMs)}, runner ${fmt(v.wallMs)} (deno run of the bundle)`,
);
