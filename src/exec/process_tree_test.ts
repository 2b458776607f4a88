import { assertEquals } from "../testing/assert.ts";
import { parseStat, selectJobProcesses } from "./process_tree.ts";

Deno.test("process tree: /proc stat with spaces and parens in the name", () => {
  const rest = "0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 987654 1000 10";
  assertEquals(parseStat(`4242 (a (b) c) S 1 4242 4240 ${rest}`), {
    pid: 4242,
    ppid: 1,
    sid: 4240,
    start: 987654,
  });
  assertEquals(parseStat("4242 (x) S 1 4242 4240 0"), null, "too short: no start time");
  const own = parseStat(Deno.readTextFileSync("/proc/self/stat"))!;
  assertEquals(own.pid, Deno.pid);
});

Deno.test("process tree: session, marker and descendants are chosen; self and others are not", () => {
  const procs = [
    { pid: 1, ppid: 0, sid: 1, marked: false }, // init
    { pid: 10, ppid: 1, sid: 5, marked: false }, // runner itself
    { pid: 100, ppid: 10, sid: 100, marked: true }, // job leader
    { pid: 101, ppid: 100, sid: 100, marked: true }, // ansible worker
    { pid: 200, ppid: 10, sid: 200, marked: true }, // daemonized async task, reparented
    { pid: 201, ppid: 200, sid: 201, marked: null }, // its child, env unreadable
    { pid: 300, ppid: 1, sid: 300, marked: false }, // unrelated
  ];
  assertEquals(selectJobProcesses(procs, { sid: 100, self: 10 }).sort(), [100, 101, 200, 201]);
});

Deno.test("process tree: where runner runs only the job, its adopted children are the job's", () => {
  const procs = [
    { pid: 1, ppid: 0, sid: 1, marked: false }, // init
    { pid: 10, ppid: 1, sid: 5, marked: false }, // runner itself
    { pid: 100, ppid: 10, sid: 100, marked: true }, // job leader
    { pid: 200, ppid: 10, sid: 200, marked: false }, // left the session, env cleared, orphaned
    { pid: 201, ppid: 200, sid: 200, marked: false }, // its child
    { pid: 300, ppid: 10, sid: 5, marked: false }, // runner's guard
    { pid: 301, ppid: 10, sid: 5, marked: false }, // runner's compile
    { pid: 400, ppid: 1, sid: 400, marked: false }, // unrelated
  ];
  const job = { sid: 100, self: 10, others: [300, 301] };
  assertEquals(selectJobProcesses(procs, job).sort(), [100]);
  assertEquals(selectJobProcesses(procs, { ...job, adopts: true }).sort(), [100, 200, 201]);
});

Deno.test("process tree: children of a process are seen until they are reaped", async () => {
  // In a process of its own: test modules run side by side in this one, with children of theirs.
  const module = new URL("./process_tree.ts", import.meta.url).href;
  const script = `
    import { hasChildren } from "${module}";
    const seen = [hasChildren()];
    const child = new Deno.Command("sleep", { args: ["30"] }).spawn();
    seen.push(hasChildren(), hasChildren([child.pid]), hasChildren([child.pid + 1]));
    child.kill("SIGKILL");
    await child.status;
    seen.push(hasChildren());
    console.log(JSON.stringify(seen));
  `;
  const out = await new Deno.Command(Deno.execPath(), { args: ["eval", script] }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  // Not counting a given pid (runner's guard): a child of that pid alone is no child.
  assertEquals(text, "[false,true,false,true,false]", new TextDecoder().decode(out.stderr));
});
