import { assertEquals } from "../testing/assert.ts";
import { dirsToRotate } from "./rotate.ts";

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
