import { assertEquals } from "../testing/assert.ts";
import { fsMessage } from "./main.ts";

Deno.test("cli: Deno's filesystem errors are said path first", () => {
  assertEquals(
    fsMessage("No such file or directory (os error 2): open '/proc/nope/log'"),
    "open '/proc/nope/log': No such file or directory",
  );
  assertEquals(
    fsMessage("Permission denied (os error 13): mkdir '/root/x'"),
    "mkdir '/root/x': Permission denied",
  );
  assertEquals(fsMessage("something else"), "something else");
});
