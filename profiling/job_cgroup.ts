/**
 * The job's own cgroup `<base>/<ident>`: created before the job, joined by its first process
 * before it runs Ansible, read by the poller, removed afterwards.
 */
import { join } from "../src/runtime/path.ts";
import { cgroupMounts, chooseHierarchy, type Hierarchy } from "./hierarchy.ts";
import { cpuUsageNs, memoryBytes, pidsCurrent } from "./metrics.ts";
import { sleep } from "../src/runtime/timer.ts";

/** A profiling set-up problem; the message says what to create or enable. */
export class ProfilingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProfilingError";
  }
}

function read(path: string): string | null {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return null;
  }
}

function isDir(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

/** Detects the hierarchy of this machine. */
export function detectHierarchy(): Hierarchy {
  const h = chooseHierarchy(
    cgroupMounts(read("/proc/self/mountinfo") ?? ""),
    (p) => read(join(p, "cgroup.controllers")),
  );
  if ("error" in h) throw new ProfilingError(`resource profiling needs cgroups: ${h.error}`);
  return h;
}

/** A created job cgroup. */
export class JobCgroup {
  readonly hierarchy: Hierarchy;
  /** The job cgroup's dir per controller (one dir on v2). */
  readonly dirs: { cpu: string; memory: string; pids: string };

  private constructor(h: Hierarchy, dirs: { cpu: string; memory: string; pids: string }) {
    this.hierarchy = h;
    this.dirs = dirs;
  }

  /** The `cgroup.procs` files the job's first process must join. */
  get procsFiles(): string[] {
    return [...new Set(Object.values(this.dirs))].map((d) => join(d, "cgroup.procs"));
  }

  /** Creates `<base>/<ident>`; throws ProfilingError saying exactly what is missing. */
  static create(base: string, ident: string, h: Hierarchy = detectHierarchy()): JobCgroup {
    const clean = base.replace(/^\/+|\/+$/g, "");
    if (!clean || clean.split("/").includes("..")) {
      throw new ProfilingError(`resource_profiling_base_cgroup '${base}' is not a cgroup path`);
    }
    if (h.version === 2) {
      const parent = join(h.root, clean);
      if (!isDir(parent)) {
        throw new ProfilingError(
          `base cgroup ${parent} does not exist: create it (mkdir ${parent}) and enable ` +
            `the controllers for its children (echo "+cpu +memory +pids" > ${parent}/cgroup.subtree_control)`,
        );
      }
      const enabled = (read(join(parent, "cgroup.subtree_control")) ?? "").split(/\s+/);
      const missing = ["cpu", "memory", "pids"].filter((c) => !enabled.includes(c));
      if (missing.length) {
        try {
          Deno.writeTextFileSync(
            join(parent, "cgroup.subtree_control"),
            missing.map((c) => `+${c}`).join(" "),
          );
        } catch (e) {
          throw new ProfilingError(
            `cannot enable ${missing.join(", ")} in ${parent}/cgroup.subtree_control (${
              (e as Error).message
            }): ` +
              `enable them in ${h.root}/cgroup.subtree_control and every cgroup down to ${parent}, ` +
              `and keep processes out of ${parent} itself`,
          );
        }
      }
      const dir = join(parent, ident);
      mkdirCgroup(dir, parent);
      return new JobCgroup(h, { cpu: dir, memory: dir, pids: dir });
    }
    const dirs = {
      cpu: join(h.cpu, clean, ident),
      memory: join(h.memory, clean, ident),
      pids: join(h.pids, clean, ident),
    };
    const made: string[] = [];
    try {
      for (const [ctl, mount] of [["cpuacct", h.cpu], ["memory", h.memory], ["pids", h.pids]]) {
        const parent = join(mount, clean);
        if (!isDir(parent)) {
          throw new ProfilingError(
            `base cgroup ${parent} does not exist: create it (mkdir ${parent}) for the ${ctl} controller`,
          );
        }
        const dir = join(parent, ident);
        if (!made.includes(dir)) {
          mkdirCgroup(dir, parent);
          made.push(dir);
        }
      }
    } catch (e) {
      for (const d of made) Deno.removeSync(d);
      throw e;
    }
    return new JobCgroup(h, dirs);
  }

  /** CPU time used so far, in ns. */
  cpuNs(): number | null {
    const f = this.hierarchy.version === 2 ? "cpu.stat" : "cpuacct.usage";
    const t = read(join(this.dirs.cpu, f));
    return t === null ? null : cpuUsageNs(t, this.hierarchy.version);
  }

  /** Memory in bytes now. */
  memory(): number | null {
    const f = this.hierarchy.version === 2 ? "memory.current" : "memory.usage_in_bytes";
    const t = read(join(this.dirs.memory, f));
    return t === null ? null : memoryBytes(t);
  }

  /** Processes now. */
  pids(): number | null {
    const t = read(join(this.dirs.pids, "pids.current"));
    return t === null ? null : pidsCurrent(t);
  }

  /** Removes the cgroup (after the job's processes are gone; retries briefly while they exit). */
  async remove(): Promise<void> {
    for (const dir of new Set(Object.values(this.dirs))) {
      for (let i = 0; i < 100; i++) {
        try {
          Deno.removeSync(dir);
          break;
        } catch (e) {
          if (e instanceof Deno.errors.NotFound) break;
          await sleep(20);
        }
      }
    }
  }
}

function mkdirCgroup(dir: string, parent: string): void {
  try {
    Deno.mkdirSync(dir);
  } catch (e) {
    if (e instanceof Deno.errors.AlreadyExists) {
      // Left by a runner that was killed outright: the kernel removes an empty cgroup only
      // (no process, no child), so one a running job uses stays, and is said.
      try {
        Deno.removeSync(dir);
        Deno.mkdirSync(dir);
        return;
      } catch { /* in use */ }
      throw new ProfilingError(
        `cgroup ${dir} already exists and is in use: is a job with this ident still running?`,
      );
    }
    throw new ProfilingError(
      `cannot create ${dir}: ${(e as Error).message} (is ${parent} writable by this user?)`,
    );
  }
}

/**
 * A `/bin/sh` prelude that moves the job's first process into the cgroup, then execs the
 * real program: nothing the job starts can escape, and no `cgexec` is needed.
 */
export const JOIN_PRELUDE =
  'IFS=:; for p in $RUNNER_CGROUP_PROCS; do echo $$ > "$p" || exit 125; done; unset RUNNER_CGROUP_PROCS IFS; exec "$@"';
