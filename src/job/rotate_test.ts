import { assert, assertEquals } from "../testing/assert.ts";
import { dirsToRotate, rotateArtifacts } from "./rotate.ts";
import { join } from "../runtime/path.ts";

Deno.test("rotate: keeps the newest N", () => {
  const dirs = [
    { name: "a", mtime: 1 },
    { name: "b", mtime: 3 },
    { name: "c", mtime: 2 },
  ];
  assertEquals(dirsToRotate(dirs, 2), ["a"]);
  assertEquals(dirsToRotate(dirs, 0), []);
  assertEquals(dirsToRotate(dirs, 5), []);
});

Deno.test("rotate: the current job's dir is kept whatever its mtime, and counts as one", () => {
  const dirs = [
    { name: "a", mtime: 1 },
    { name: "b", mtime: 3 },
    { name: "c", mtime: 2 },
  ];
  assertEquals(dirsToRotate(dirs, 1, "a"), ["b", "c"]);
  assertEquals(dirsToRotate(dirs, 2, "a"), ["c"]);
  assertEquals(dirsToRotate(dirs, 2, "gone"), ["a"]);
});

Deno.test("rotate: a dir that cannot be removed is logged and left, the rest still go", async () => {
  const base = await Deno.makeTempDir();
  const stuck = join(base, "old1", "immutable");
  try {
    for (const [name, age] of [["old1", 30], ["old2", 20], ["new", 0]] as const) {
      Deno.mkdirSync(join(base, name));
      const t = new Date(Date.now() - age * 1000);
      Deno.utimeSync(join(base, name), t, t);
    }
    Deno.writeTextFileSync(stuck, "");
    // Even root cannot unlink an immutable file (ext4, this machine's /tmp).
    const chattr = await new Deno.Command("chattr", { args: ["+i", stuck] }).output();
    assert(chattr.success, new TextDecoder().decode(chattr.stderr));
    const logged: string[] = [];
    rotateArtifacts(base, 1, "new", (m) => logged.push(m));
    assertEquals([...Deno.readDirSync(base)].map((e) => e.name).sort(), ["new", "old1"]);
    assert(
      logged.some((m) => m.startsWith("cannot rotate out artifact dir old1: ")),
      logged.join(),
    );
  } finally {
    await new Deno.Command("chattr", { args: ["-i", stuck] }).output().catch(() => {});
    await Deno.remove(base, { recursive: true });
  }
});
