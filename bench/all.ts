/**
 * `deno task bench`: every benchmark in turn, each given this command's arguments (`--quick`
 * for short runs; `--tmpfs` is read by bench/run.ts). A task line would pass them to the last
 * script only.
 */
const SCRIPTS = ["run.ts", "latency.ts", "streaming.ts", "profiling.ts"];

let failed = 0;
for (const script of SCRIPTS) {
  const path = new URL(script, import.meta.url).pathname;
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", path, ...Deno.args],
    stdin: "null",
  }).spawn().status;
  if (code !== 0) {
    console.error(`bench/${script} exited with ${code}`);
    failed++;
  }
}
Deno.exit(failed ? 1 : 0);
