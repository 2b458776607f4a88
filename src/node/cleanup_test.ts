import { assertEquals } from "../testing/assert.ts";
import {
  globToRegExp,
  imagesRemoved,
  pruned,
  selectForCleanup,
  systemDirsMatched,
} from "./cleanup.ts";

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

Deno.test("cleanup: what rmi and image prune say they removed (podman's and docker's words)", () => {
  assertEquals(imagesRemoved("Untagged: localhost/ee:1\n"), 1);
  assertEquals(imagesRemoved("Untagged: localhost/ee:1\nDeleted: 54cf8b09681f\n"), 1);
  assertEquals(imagesRemoved("Untagged: ee:1\nUntagged: ee@sha256:ab\nDeleted: sha256:cd\n"), 2);
  assertEquals(imagesRemoved("Deleted: 54cf8b09681f\n"), 1); // by id
  assertEquals(imagesRemoved(""), 0); // not there: --force let it pass
  assertEquals(pruned(""), false);
  assertEquals(pruned("Total reclaimed space: 0B\n"), false);
  assertEquals(pruned("54cf8b09681f\n"), true);
  assertEquals(pruned("Deleted Images:\nuntagged: x\n\nTotal reclaimed space: 12MB\n"), true);
});
