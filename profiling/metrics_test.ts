import { assertEquals, assertThrows } from "../src/testing/assert.ts";
import { cpuPercent, cpuUsageNs, memoryBytes, pidsCurrent, rsRecord, toMiB } from "./metrics.ts";

// cpu.stat as Documentation/admin-guide/cgroup-v2.rst describes it.
const CPU_STAT = `usage_usec 2500000
user_usec 2000000
system_usec 500000
nr_periods 0
nr_throttled 0
throttled_usec 0
`;

Deno.test("metrics: v1 and v2 cpu usage in ns", () => {
  assertEquals(cpuUsageNs("710113556117\n", 1), 710113556117);
  assertEquals(cpuUsageNs(CPU_STAT, 2), 2_500_000_000);
  assertThrows(() => cpuUsageNs("user_usec 1\n", 2), /usage_usec/);
});

Deno.test("metrics: percent of one CPU, memory in MiB, pids", () => {
  assertEquals(cpuPercent(0, 250_000_000, 0, 250), 100);
  assertEquals(cpuPercent(0, 500_000_000, 0, 250), 200, "two busy CPUs");
  assertEquals(cpuPercent(5, 5, 10, 10), 0);
  assertEquals(toMiB(memoryBytes("209715200\n")), 200);
  assertEquals(pidsCurrent("12\n"), 12);
});

Deno.test("metrics: RS framing", () => {
  assertEquals(
    rsRecord({ timestamp: 1.5, task_name: "t", task_uuid: "u", value: 3 }),
    '\x1e{"timestamp":1.5,"task_name":"t","task_uuid":"u","value":3}\n',
  );
});
