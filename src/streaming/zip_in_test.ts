import { assertEquals, assertThrows } from "../testing/assert.ts";
import { linkStaysInside, safeEntryPath } from "./zip_in.ts";

Deno.test("zip paths: normal names are normalized, hostile ones refused", () => {
  assertEquals(safeEntryPath("project/test.yml"), "project/test.yml");
  assertEquals(safeEntryPath("./env//settings"), "env/settings");
  assertEquals(safeEntryPath("roles/x/"), "roles/x");
  for (const bad of ["../x", "a/../../x", "/etc/passwd", "a\\..\\b", "a\0b", "", "./"]) {
    assertThrows(() => safeEntryPath(bad), /refusing zip entry/);
  }
});

Deno.test("zip paths: symlink targets must stay inside", () => {
  assertEquals(linkStaysInside("env/link", "../project/test.yml"), true);
  assertEquals(linkStaysInside("a/b/c", "../../d"), true);
  assertEquals(linkStaysInside("a/b", "../../d"), false);
  assertEquals(linkStaysInside("link", "/etc/passwd"), false);
  assertEquals(linkStaysInside("link", ".."), false);
});
