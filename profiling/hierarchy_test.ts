import { assertEquals } from "../src/testing/assert.ts";
import { cgroupMounts, chooseHierarchy } from "./hierarchy.ts";

const V1 = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate`;
const V2 =
  `29 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot`;

Deno.test("hierarchy: hybrid machine uses the v1 controllers", () => {
  const h = chooseHierarchy(cgroupMounts(V1), () => "hugetlb");
  assertEquals(h, {
    version: 1,
    cpu: "/sys/fs/cgroup/cpu,cpuacct",
    memory: "/sys/fs/cgroup/memory",
    pids: "/sys/fs/cgroup/pids",
  });
});

Deno.test("hierarchy: a unified tree with cpu, memory and pids is v2", () => {
  const h = chooseHierarchy(
    cgroupMounts(V2),
    () => "cpuset cpu io memory hugetlb pids rdma misc\n",
  );
  assertEquals(h, { version: 2, root: "/sys/fs/cgroup" });
});

Deno.test("hierarchy: missing controllers and no cgroups are explained", () => {
  const h = chooseHierarchy(cgroupMounts(V2), () => "cpu io");
  assertEquals("error" in h && h.error.includes("cpuacct, memory, pids are not mounted"), true);
  assertEquals(chooseHierarchy([], () => null), {
    error: "no cgroup filesystem is mounted (see /proc/self/mountinfo)",
  });
});
