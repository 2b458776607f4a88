import { assertEquals } from "../testing/assert.ts";
import { commandFirst } from "./argv.ts";

const flags = new Set(["-p", "--playbook", "-i", "--ident"]);
const cmds = ["run", "start"];

Deno.test("argv: both documented orders give the same parse input", () => {
  assertEquals(commandFirst(["-p", "test.yml", "run", "demo"], cmds, flags), [
    "run",
    "-p",
    "test.yml",
    "demo",
  ]);
  assertEquals(commandFirst(["run", "demo", "-p", "test.yml"], cmds, flags), [
    "run",
    "demo",
    "-p",
    "test.yml",
  ]);
});

Deno.test("argv: an option value that names a command is not the command", () => {
  assertEquals(commandFirst(["-i", "run", "start", "demo"], cmds, flags), [
    "start",
    "-i",
    "run",
    "demo",
  ]);
  assertEquals(commandFirst(["--ident=run", "run", "d"], cmds, flags), ["run", "--ident=run", "d"]);
});
