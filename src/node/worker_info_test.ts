import { assertEquals } from "../testing/assert.ts";
import {
  countCpuList,
  effectiveResources,
  parseCpuMax,
  parseMemLimit,
  workerInfoYaml,
} from "./worker_info.ts";

Deno.test("worker info: cpu lists, cpu.max and memory limits parse as the kernel writes them", () => {
  assertEquals(countCpuList("0-3,8,10-11\n"), 7);
  assertEquals(parseCpuMax("max 100000\n"), { quota: -1, period: 100000 });
  assertEquals(parseCpuMax("150000 100000"), { quota: 150000, period: 100000 });
  assertEquals(parseMemLimit("max\n"), null);
  assertEquals(parseMemLimit("9223372036854771712\n"), null);
  assertEquals(parseMemLimit("268435456"), 268435456);
});

Deno.test("worker info: the tightest of host, affinity, quota and memory limits wins", () => {
  const r = effectiveResources({
    onlineCpus: 16,
    allowedCpus: "0-7",
    memTotal: 64 * 2 ** 30,
    cpuQuotas: [{ quota: 250000, period: 100000 }, { quota: -1, period: 100000 }],
    memLimits: [null, 2 ** 30, 4 * 2 ** 30],
  });
  assertEquals(r, { cpus: 3, mem: 2 ** 30, errors: [] });
  const tiny = effectiveResources({
    onlineCpus: 4,
    allowedCpus: null,
    memTotal: 1000,
    cpuQuotas: [{ quota: 10000, period: 100000 }],
    memLimits: [],
  });
  assertEquals(tiny.cpus, 1, "a fraction of a CPU still counts as one");
});

Deno.test("worker info: flow-style YAML in ansible-runner's key order", () => {
  assertEquals(
    workerInfoYaml({
      cpu_count: 2,
      errors: ["x: y"],
      mem_in_bytes: 5,
      runner_version: "1.0.0",
      uuid: "u",
    }),
    '{cpu_count: 2, errors: ["x: y"], mem_in_bytes: 5, runner_version: 1.0.0, uuid: u}',
  );
});
