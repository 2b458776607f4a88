/**
 * `worker --worker-info`: what an execution node can give a job. Beyond ansible-runner, which
 * reports the host's CPUs and memory, this reports what the worker's cgroup (v1 or v2) and
 * CPU affinity actually allow, so a capacity planner does not over-commit a container.
 */
import { join } from "../runtime/path.ts";
import { VERSION } from "../cli/version.ts";

/** Raw readings, gathered by {@link readResourceInputs}; kept separate so the logic is pure. */
export interface ResourceInputs {
  /** CPUs the kernel has online. */
  onlineCpus: number;
  /** `Cpus_allowed_list` of this process (null if unknown). */
  allowedCpus: string | null;
  /** MemTotal from /proc/meminfo, in bytes. */
  memTotal: number | null;
  /** cgroup CPU limits along this process's cgroup path: quota and period in µs (quota < 0: none). */
  cpuQuotas: { quota: number; period: number }[];
  /** cgroup memory limits along the path, in bytes (null: unlimited). */
  memLimits: (number | null)[];
}

/** What worker-info reports. */
export interface WorkerInfo {
  cpu_count: number;
  errors: string[];
  mem_in_bytes: number;
  runner_version: string;
  uuid: string;
}

/** Counts CPUs in a list such as `0-3,8,10-11`. Pure. */
export function countCpuList(list: string): number {
  let n = 0;
  for (const part of list.trim().split(",").filter(Boolean)) {
    const [a, b] = part.split("-").map(Number);
    n += b === undefined ? 1 : b - a + 1;
  }
  return n;
}

/** The usable CPUs and memory given the readings. Pure. */
export function effectiveResources(
  i: ResourceInputs,
): { cpus: number; mem: number; errors: string[] } {
  const errors: string[] = [];
  let cpus = i.onlineCpus;
  if (i.allowedCpus) cpus = Math.min(cpus, countCpuList(i.allowedCpus));
  for (const { quota, period } of i.cpuQuotas) {
    if (quota > 0 && period > 0) cpus = Math.min(cpus, Math.max(1, Math.ceil(quota / period)));
  }
  let mem = i.memTotal ?? 0;
  if (i.memTotal === null) errors.push("cannot read MemTotal from /proc/meminfo");
  for (const limit of i.memLimits) {
    if (limit !== null && limit > 0) mem = Math.min(mem || limit, limit);
  }
  return { cpus, mem, errors };
}

/** Parses cgroup v2 `cpu.max` ("max 100000" or "50000 100000"). Pure. */
export function parseCpuMax(text: string): { quota: number; period: number } {
  const [q, p] = text.trim().split(/\s+/);
  return { quota: q === "max" ? -1 : Number(q), period: Number(p ?? 100000) };
}

/** Parses a memory limit file (v2 `memory.max`, v1 `memory.limit_in_bytes`). Pure. */
export function parseMemLimit(text: string): number | null {
  const t = text.trim();
  if (t === "max") return null;
  const n = Number(t);
  // v1 reports "no limit" as a huge page-aligned number.
  return Number.isFinite(n) && n < 2 ** 62 ? n : null;
}

function read(path: string): string | null {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return null;
  }
}

/** The cgroup dir of this process and its ancestors under `mount`, deepest first. */
function cgroupDirs(mount: string, path: string): string[] {
  const dirs: string[] = [];
  const parts = path.split("/").filter(Boolean);
  for (let n = parts.length; n >= 0; n--) {
    const dir = join(mount, ...parts.slice(0, n));
    try {
      if (Deno.statSync(dir).isDirectory) dirs.push(dir);
    } catch { /* not visible in this namespace */ }
  }
  return [...new Set(dirs)];
}

/** Reads everything {@link effectiveResources} needs from /proc and /sys/fs/cgroup. */
export function readResourceInputs(): ResourceInputs {
  const status = read("/proc/self/status") ?? "";
  const meminfo = read("/proc/meminfo") ?? "";
  const memKb = /MemTotal:\s+(\d+)\s*kB/.exec(meminfo);
  const inputs: ResourceInputs = {
    onlineCpus: navigator.hardwareConcurrency || 1,
    allowedCpus: /Cpus_allowed_list:\s*(\S+)/.exec(status)?.[1] ?? null,
    memTotal: memKb ? Number(memKb[1]) * 1024 : null,
    cpuQuotas: [],
    memLimits: [],
  };
  for (const line of (read("/proc/self/cgroup") ?? "").split("\n").filter(Boolean)) {
    const [, controllers, path] = line.split(":");
    if (controllers === "") {
      const mount = read("/sys/fs/cgroup/cgroup.controllers") !== null
        ? "/sys/fs/cgroup"
        : "/sys/fs/cgroup/unified";
      for (const dir of cgroupDirs(mount, path)) {
        const cpu = read(join(dir, "cpu.max"));
        if (cpu) inputs.cpuQuotas.push(parseCpuMax(cpu));
        const mem = read(join(dir, "memory.max"));
        if (mem) inputs.memLimits.push(parseMemLimit(mem));
      }
    } else if (controllers.split(",").includes("cpu")) {
      for (const dir of cgroupDirs(`/sys/fs/cgroup/${controllers}`, path)) {
        const q = read(join(dir, "cpu.cfs_quota_us"));
        const p = read(join(dir, "cpu.cfs_period_us"));
        if (q && p) inputs.cpuQuotas.push({ quota: Number(q), period: Number(p) });
      }
    } else if (controllers.split(",").includes("memory")) {
      for (const dir of cgroupDirs(`/sys/fs/cgroup/${controllers}`, path)) {
        const m = read(join(dir, "memory.limit_in_bytes"));
        if (m) inputs.memLimits.push(parseMemLimit(m));
      }
    }
  }
  return inputs;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** This node's persistent uuid, shared with ansible-runner in `~/.ansible_runner_uuid` (0600). */
export function nodeUuid(home = Deno.env.get("HOME") ?? "/root"): string {
  const path = join(home, ".ansible_runner_uuid");
  const existing = read(path)?.trim();
  if (existing && UUID_RE.test(existing)) return existing;
  const id = crypto.randomUUID();
  Deno.writeTextFileSync(path, id, { mode: 0o600 });
  Deno.chmodSync(path, 0o600);
  return id;
}

/** Flow-style YAML in ansible-runner's key order. Pure. */
export function workerInfoYaml(info: WorkerInfo): string {
  const errors = info.errors.map((e) => JSON.stringify(e)).join(", ");
  return `{cpu_count: ${info.cpu_count}, errors: [${errors}], mem_in_bytes: ${info.mem_in_bytes}, ` +
    `runner_version: ${info.runner_version}, uuid: ${info.uuid}}`;
}

/** Gathers the worker info of this node. */
export function workerInfo(): WorkerInfo {
  const { cpus, mem, errors } = effectiveResources(readResourceInputs());
  return { cpu_count: cpus, errors, mem_in_bytes: mem, runner_version: VERSION, uuid: nodeUuid() };
}
