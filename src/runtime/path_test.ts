import * as oracle from "node:path";
import { assertEquals } from "../testing/assert.ts";
import { dirname, isAbsolute, join, normalize, relative, resolve } from "./path.ts";

// node:path's POSIX results are the specification; every case is checked against it.
const PATHS = [
  "",
  ".",
  "..",
  "/",
  "//",
  "a",
  "a/",
  "/a",
  "/a/",
  "a/b/c",
  "a//b///c/",
  "./a/./b/.",
  "a/../..",
  "../a/../../b",
  "/../a",
  "/a/b/../../..",
  "a/b/..",
  "/a/b/../c/./d/",
  "...",
  "a/.../b",
  ".hidden/x",
  "/usr//lib/",
  "x/y/../../",
];

Deno.test("path: normalize, dirname and isAbsolute agree with node:path", () => {
  for (const p of PATHS) {
    assertEquals(normalize(p), oracle.posix.normalize(p), `normalize(${JSON.stringify(p)})`);
    assertEquals(dirname(p), oracle.posix.dirname(p), `dirname(${JSON.stringify(p)})`);
    assertEquals(isAbsolute(p), oracle.posix.isAbsolute(p), `isAbsolute(${JSON.stringify(p)})`);
  }
});

Deno.test("path: join, resolve and relative agree with node:path", () => {
  for (const a of PATHS) {
    assertEquals(resolve(a), oracle.posix.resolve(a), `resolve(${JSON.stringify(a)})`);
    for (const b of PATHS) {
      const args = JSON.stringify([a, b]);
      assertEquals(join(a, b), oracle.posix.join(a, b), `join${args}`);
      assertEquals(resolve(a, b), oracle.posix.resolve(a, b), `resolve${args}`);
      assertEquals(relative(a, b), oracle.posix.relative(a, b), `relative${args}`);
    }
  }
  assertEquals(join(), oracle.posix.join());
  assertEquals(join("a", "", "b", "/c"), oracle.posix.join("a", "", "b", "/c"));
  assertEquals(resolve("/x", "y", "/z", "w"), oracle.posix.resolve("/x", "y", "/z", "w"));
});
