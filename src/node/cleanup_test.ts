import { assertEquals } from "../testing/assert.ts";
import { globToRegExp, selectForCleanup, systemDirsMatched } from "./cleanup.ts";

Deno.test("cleanup: patterns that could reach system dirs are caught", () => {
  assertEquals(systemDirsMatched("/tmp/.ansible-runner-*"), []);
  assertEquals(systemDirsMatched("/t?p"), ["/tmp"]);
  assertEquals(systemDirsMatched("/*").length > 10, true);
  assertEquals(systemDirsMatched("/[ev]*"), ["/etc", "/var"]);
  assertEquals(systemDirsMatched("/tmp/"), ["/tmp"]);
});

Deno.test("cleanup: glob semantics stay within one path segment", () => {
  assertEquals(globToRegExp("/tmp/a*").test("/tmp/abc"), true);
  assertEquals(globToRegExp("/tmp/a*").test("/tmp/a/b"), false);
});

Deno.test("cleanup: old, not excluded dirs are chosen", () => {
  const now = 10_000_000;
  const old = now - 2 * 3600_000;
  const dirs = [
    { path: "/w/old", mtimeMs: old },
    { path: "/w/new", mtimeMs: now - 60_000 },
    { path: "/w/keep-me", mtimeMs: old },
  ];
  assertEquals(selectForCleanup(dirs, { nowMs: now, graceMinutes: 60, exclude: ["keep"] }), [
    "/w/old",
  ]);
  assertEquals(selectForCleanup(dirs, { nowMs: now, graceMinutes: 0, exclude: [] }), [
    "/w/old",
    "/w/new",
    "/w/keep-me",
  ]);
});
