import { assert, assertEquals } from "../testing/assert.ts";
import { exitCode, tryWait } from "./libc.ts";
import { spawnPty } from "./pty.ts";

const SH = "/bin/sh";

// The end of file on the pty can come a little before the child is a zombie: runner then
// waits for the exit itself, which its pidfd (Linux 5.3 and later) reports at once.
Deno.test("pty: waitExit returns when the child exits, not at its time limit", async () => {
  const proc = spawnPty({ file: SH, argv: ["sh", "-c", "exit 0"], env: {}, cwd: "/" });
  try {
    const t0 = performance.now();
    await proc.waitExit(5000);
    assert(performance.now() - t0 < 2500, "returned at the exit");
    assertEquals(exitCode(tryWait(proc.pid)!), 0);
  } finally {
    proc.close();
  }
});

Deno.test("pty: a read says when the output paused, and not while it flows", async () => {
  const proc = spawnPty({
    file: SH,
    argv: ["sh", "-c", "echo one; sleep 0.6; echo two; sleep 5"],
    env: {},
    cwd: "/",
  });
  try {
    let quiet = 0;
    const onQuiet = () => quiet++;
    let text = "";
    // "one" is waiting in the pty: read without a pause noticed.
    await new Promise((r) => setTimeout(r, 300));
    while (!text.includes("one")) {
      const chunk = await proc.read(1000, onQuiet);
      assert(chunk !== null);
      text += new TextDecoder().decode(chunk);
    }
    assertEquals(quiet, 0);
    // Then ~0.3 s of silence: the gathering wait finds nothing, the reader is told, and the
    // read goes on waiting for "two".
    while (!text.includes("two")) {
      const chunk = await proc.read(1000, onQuiet);
      assert(chunk !== null);
      text += new TextDecoder().decode(chunk);
    }
    assert(quiet >= 1, "the pause was noticed");
  } finally {
    Deno.kill(proc.pid, "SIGKILL");
    while (tryWait(proc.pid) === null) await proc.waitExit(10);
    proc.close();
  }
});

Deno.test("pty: reap waits for the exit and reaps; with a limit, gives up on a child still running", async () => {
  const done = spawnPty({ file: SH, argv: ["sh", "-c", "exit 3"], env: {}, cwd: "/" });
  try {
    assertEquals(exitCode((await done.reap())!), 3);
  } finally {
    done.close();
  }
  const slow = spawnPty({ file: "/bin/sleep", argv: ["sleep", "5"], env: {}, cwd: "/" });
  try {
    assertEquals(await slow.reap(50), null);
    Deno.kill(slow.pid, "SIGKILL");
    assertEquals(exitCode((await slow.reap(2000))!), 128 + 9);
  } finally {
    slow.close();
  }
});
