/** `runner profile PATH`: the per-task table and an SVG chart of a job's profiling data. */
import { join } from "../runtime/path.ts";
import { groupSeries, renderSvg, renderTable, summarize } from "../../profiling/report.ts";

/** Runs the command; resolves to the exit code. */
export function profileCommand(a: Record<string, unknown>): number {
  const path = String(a.path);
  let dir = path;
  try {
    if (Deno.statSync(join(path, "profiling_data")).isDirectory) dir = join(path, "profiling_data");
  } catch { /* PATH is the profiling_data dir itself */ }
  const files = new Map<string, string>();
  try {
    for (const e of Deno.readDirSync(dir)) {
      if (e.isFile && e.name.endsWith(".json")) {
        files.set(e.name, Deno.readTextFileSync(join(dir, e.name)));
      }
    }
  } catch (e) {
    console.error(`runner: error: cannot read ${dir}: ${(e as Error).message}`);
    return 1;
  }
  const series = groupSeries(files);
  if (series.length === 0) {
    console.error(
      `runner: error: no profiling data in ${dir} (was the job run with --resource-profiling?)`,
    );
    return 1;
  }
  console.log(renderTable(summarize(series)));
  const out = typeof a.output === "string" ? a.output : join(dir, "profile.svg");
  Deno.writeTextFileSync(out, renderSvg(series, `runner resource profile: ${path}`), {
    mode: 0o600,
  });
  console.log(`chart: ${out}`);
  return 0;
}
