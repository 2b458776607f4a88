/** Parsing cgroup metric files (kernel Documentation/admin-guide/cgroup-v1 and cgroup-v2). Pure. */

/** CPU time used, in nanoseconds: v1 `cpuacct.usage`, or v2 `cpu.stat`'s usage_usec. */
export function cpuUsageNs(text: string, version: 1 | 2): number {
  if (version === 1) return Number(text.trim());
  const m = /^usage_usec\s+(\d+)$/m.exec(text);
  if (!m) throw new Error("cpu.stat has no usage_usec line");
  return Number(m[1]) * 1000;
}

/** Memory in bytes: v1 `memory.usage_in_bytes`, v2 `memory.current`. */
export function memoryBytes(text: string): number {
  return Number(text.trim());
}

/** Processes and threads: `pids.current`. */
export function pidsCurrent(text: string): number {
  return Number(text.trim());
}

/** Percent of one CPU over an interval (can exceed 100 with several CPUs busy). */
export function cpuPercent(prevNs: number, nowNs: number, prevMs: number, nowMs: number): number {
  const wallNs = (nowMs - prevMs) * 1e6;
  return wallNs > 0 ? Math.max(0, ((nowNs - prevNs) / wallNs) * 100) : 0;
}

/** Bytes to MiB, as ansible-runner 1.4 reported memory. */
export function toMiB(bytes: number): number {
  return bytes / 2 ** 20;
}

/** One record of a profiling file: RS (0x1E), JSON, LF. */
export function rsRecord(
  sample: { timestamp: number; task_name: string; task_uuid: string; value: number },
): string {
  return "\x1e" + JSON.stringify(sample) + "\n";
}
