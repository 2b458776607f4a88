import { assert, assertEquals } from "../testing/assert.ts";
import { after, every, sleep } from "./timer.ts";

Deno.test("timer: sleep waits, after can be cancelled, every repeats until stopped", async () => {
  const t0 = performance.now();
  await sleep(30);
  assert(performance.now() - t0 >= 29, "slept");
  let fired = false;
  const cancel = after(20, () => fired = true);
  cancel();
  let ticks = 0;
  const stop = every(10, () => ticks++);
  await sleep(75);
  stop();
  const seen = ticks;
  await sleep(40);
  assertEquals(fired, false);
  assert(seen >= 4 && seen <= 8, `${seen} ticks in 75 ms`);
  assertEquals(ticks, seen, "no tick after stop");
});

Deno.test("timer: a pending timer keeps the process alive; a cancelled one does not", async () => {
  const run = async (code: string) => {
    const t0 = performance.now();
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["eval", `import * as t from "${new URL("./timer.ts", import.meta.url)}"; ${code}`],
      stdout: "piped",
    }).output();
    return { text: new TextDecoder().decode(out.stdout).trim(), ms: performance.now() - t0 };
  };
  assertEquals((await run(`t.after(300, () => console.log("fired"));`)).text, "fired");
  const cancelled = await run(`const c = t.after(5000, () => console.log("fired")); c();`);
  assertEquals(cancelled.text, "");
  assert(cancelled.ms < 4000, `exited at once (${cancelled.ms} ms)`);
});
