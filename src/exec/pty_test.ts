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
