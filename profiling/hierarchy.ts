/**
 * Which cgroup hierarchy this machine has for cpu, memory and pids: pure cgroup v2 (unified),
 * or v1 controllers (also on hybrid machines, whose v2 mount holds none of them).
 */

/** Where each controller's files live. */
export type Hierarchy =
  | { version: 2; root: string }
  | { version: 1; cpu: string; memory: string; pids: string };

interface Mount {
  point: string;
  fstype: string;
  options: string[];
}

/** Parses /proc/self/mountinfo lines into cgroup mounts. Pure. */
export function cgroupMounts(mountinfo: string): Mount[] {
  const out: Mount[] = [];
  for (const line of mountinfo.split("\n")) {
    const sep = line.indexOf(" - ");
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(" ");
    const [fstype, , superOpts = ""] = line.slice(sep + 3).split(" ");
    if (fstype !== "cgroup" && fstype !== "cgroup2") continue;
    out.push({ point: left[4].replace(/\\040/g, " "), fstype, options: superOpts.split(",") });
  }
  return out;
}

/**
 * Chooses the hierarchy. `controllersOf(point)` reads a v2 mount's `cgroup.controllers`.
 * Returns an explanation instead when cpu, memory and pids cannot all be found. Pure.
 */
export function chooseHierarchy(
  mounts: Mount[],
  controllersOf: (point: string) => string | null,
): Hierarchy | { error: string } {
  const need = ["cpu", "memory", "pids"];
  for (const m of mounts.filter((m) => m.fstype === "cgroup2")) {
    const have = (controllersOf(m.point) ?? "").trim().split(/\s+/);
    if (need.every((c) => have.includes(c))) return { version: 2, root: m.point };
  }
  const v1 = (c: string) =>
    mounts.find((m) => m.fstype === "cgroup" && m.options.includes(c))?.point;
  const cpu = v1("cpuacct");
  const memory = v1("memory");
  const pids = v1("pids");
  if (cpu && memory && pids) return { version: 1, cpu, memory, pids };
  if (mounts.length === 0) {
    return { error: "no cgroup filesystem is mounted (see /proc/self/mountinfo)" };
  }
  const missing = [!cpu && "cpuacct", !memory && "memory", !pids && "pids"].filter(Boolean);
  return {
    error: `no cgroup v2 mount offers cpu, memory and pids, and the cgroup v1 controller(s) ` +
      `${missing.join(", ")} are not mounted`,
  };
}
