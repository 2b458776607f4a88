import { assert, assertEquals } from "../src/testing/assert.ts";
import { groupSeries, parseRecords, renderSvg, renderTable, summarize } from "./report.ts";

const dir = new URL("./testdata/profiling_data/", import.meta.url);

function fixture(): Map<string, string> {
  const files = new Map<string, string>();
  for (const e of Deno.readDirSync(dir)) {
    files.set(e.name, Deno.readTextFileSync(new URL(e.name, dir)));
  }
  return files;
}

Deno.test("report: per-task duration, cpu mean/peak, memory and pids peaks", () => {
  const rows = summarize(groupSeries(fixture()));
  assertEquals(
    rows.map((r) => [r.n, r.name, r.durationS, r.cpuMean, r.cpuPeak, r.memPeak, r.pidsPeak]),
    [
      [0, "burn", 0.5, 100.33333333333333, 101, 60, 4],
      [1, "idle", 0.5, 0.6666666666666666, 1.5, 310, 12],
    ],
  );
  const table = renderTable(rows);
  assert(table.includes("burn") && table.includes("100.3") && table.includes("310.0"), table);
});

Deno.test("report: a torn last record is skipped", () => {
  assertEquals(parseRecords('\x1e{"timestamp":1,"value":2}\n\x1e{"timest').length, 1);
});

Deno.test("report: the SVG has three panels, a line per task and metric, escaped labels", () => {
  const series = groupSeries(fixture());
  series[0].name = "a <b> & c";
  const svg = renderSvg(series);
  assert(svg.startsWith("<svg") && svg.trimEnd().endsWith("</svg>"));
  assertEquals((svg.match(/<polyline/g) ?? []).length, 6);
  assert(svg.includes("a &lt;b&gt; &amp; c") && !svg.includes("<b>"));
  for (const label of ["CPU (% of one core)", "Memory (MiB)", "Processes"]) {
    assert(svg.includes(label));
  }
});
