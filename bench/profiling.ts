/**
 * Cost of the resource-profiling poller at 0.25 s intervals on this machine's cgroups: CPU
 * used by the poller (percent of one core) and how late samples land against their schedule.
 * Prints figures; asserts nothing. Needs root and a writable cgroup hierarchy.
 */
import { JobCgroup } from "../profiling/job_cgroup.ts";
import { Poller } from "../profiling/poller.ts";

const SECONDS = Deno.args.includes("--quick") ? 3 : 10;
const BASE = `runner-bench-${crypto.randomUUID().slice(0, 8)}`;

function cpuMs(): number {
  const stat = Deno.readTextFileSync("/proc/self/stat");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) * 10;
}

const h = (await import("../profiling/job_cgroup.ts")).detectHierarchy();
const dirs = h.version === 2
  ? [`${h.root}/${BASE}`]
  : [h.cpu, h.memory, h.pids].map((m) => `${m}/${BASE}`);
for (const d of dirs) Deno.mkdirSync(d);
const results = await Deno.makeTempDir();
try {
  const cg = JobCgroup.create(BASE, "bench", h);
  const sleeper = new Deno.Command("sh", {
    args: [
      "-c",
      `for p in ${cg.procsFiles.join(" ")}; do echo $$ > $p; done; exec sleep ${2 * SECONDS + 5}`,
    ],
  }).spawn();
  const idle0 = cpuMs();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const idle = cpuMs() - idle0;
  const poller = new Poller(cg, results, { cpu: 0.25, memory: 0.25, pids: 0.25 });
  poller.task("bench", "bench-uuid");
  const c0 = cpuMs();
  poller.start();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  poller.stop();
  const used = cpuMs() - c0 - idle;
  try {
    sleeper.kill("SIGKILL");
  } catch { /* already gone */ }
  await sleeper.status;
  await cg.remove();
  const late = [...poller.lateness].sort((a, b) => a - b);
  const pct = (p: number) => late[Math.min(late.length - 1, Math.floor(p * late.length))];
  console.log(
    `\nresource profiling poller, cgroup v${h.version}, 3 metrics every 0.25 s for ${SECONDS} s`,
  );
  console.log(
    `  CPU: ${
      ((used / (SECONDS * 1000)) * 100).toFixed(2)
    } % of one core (target < 1 %; idle process subtracted)`,
  );
  console.log(
    `  lateness of ${late.length} samples: median ${pct(0.5).toFixed(2)} ms, p99 ${
      pct(0.99).toFixed(2)
    } ms, ` +
      `max ${late.at(-1)!.toFixed(2)} ms (target within 10 ms)`,
  );
  console.log(
    "  (ansible-runner 1.4 polled through an Ansible callback and cgexec; no figure to compare)",
  );
} finally {
  for (const d of dirs) await Deno.remove(d).catch(() => {});
  await Deno.remove(results, { recursive: true });
}
