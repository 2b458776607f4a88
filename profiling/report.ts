/**
 * The profiling report: per-task figures and a self-contained SVG chart of cpu, memory and
 * pids over time with task boundaries marked. Pure: sample files in, text out.
 */

/** One sample. */
export interface Sample {
  timestamp: number;
  task_name: string;
  task_uuid: string;
  value: number;
}

/** All samples of one task. */
export interface TaskSeries {
  n: number;
  name: string;
  uuid: string;
  cpu: Sample[];
  memory: Sample[];
  pids: Sample[];
}

const FILE_RE = /^(\d+)-(.+)-(cpu|memory|pids)\.json$/;

/** Parses the RS-delimited records of one file; ignores a torn last record. */
export function parseRecords(text: string): Sample[] {
  const out: Sample[] = [];
  for (const chunk of text.split("\x1e")) {
    if (!chunk.trim()) continue;
    try {
      const r = JSON.parse(chunk);
      if (typeof r.timestamp === "number" && typeof r.value === "number") out.push(r);
    } catch { /* a record cut short by a crash */ }
  }
  return out;
}

/** Groups files (name → text) into per-task series, in task order. */
export function groupSeries(files: Map<string, string>): TaskSeries[] {
  const tasks = new Map<number, TaskSeries>();
  for (const [name, text] of files) {
    const m = FILE_RE.exec(name);
    if (!m) continue;
    const n = Number(m[1]);
    const samples = parseRecords(text);
    const t = tasks.get(n) ??
      { n, name: samples[0]?.task_name ?? "", uuid: m[2], cpu: [], memory: [], pids: [] };
    t[m[3] as "cpu" | "memory" | "pids"] = samples;
    if (!t.name && samples[0]) t.name = samples[0].task_name;
    tasks.set(n, t);
  }
  return [...tasks.values()].sort((a, b) => a.n - b.n);
}

/** The figures of one task. */
export interface TaskSummary {
  n: number;
  name: string;
  durationS: number;
  cpuMean: number | null;
  cpuPeak: number | null;
  memPeak: number | null;
  pidsPeak: number | null;
}

const peak = (s: Sample[]) => s.length ? Math.max(...s.map((x) => x.value)) : null;

/** Per-task figures. Duration spans the task's first to last sample. */
export function summarize(series: TaskSeries[]): TaskSummary[] {
  return series.map((t) => {
    const ts = [...t.cpu, ...t.memory, ...t.pids].map((s) => s.timestamp);
    return {
      n: t.n,
      name: t.name,
      durationS: ts.length ? Math.max(...ts) - Math.min(...ts) : 0,
      cpuMean: t.cpu.length ? t.cpu.reduce((a, s) => a + s.value, 0) / t.cpu.length : null,
      cpuPeak: peak(t.cpu),
      memPeak: peak(t.memory),
      pidsPeak: peak(t.pids),
    };
  });
}

/** A plain-text table of the summaries. */
export function renderTable(rows: TaskSummary[]): string {
  const f = (v: number | null, d = 1) => v === null ? "-" : v.toFixed(d);
  const head = ["#", "task", "duration s", "cpu mean %", "cpu peak %", "mem peak MiB", "pids peak"];
  const body = rows.map((r) => [
    String(r.n),
    r.name.length > 40 ? r.name.slice(0, 39) + "…" : r.name,
    f(r.durationS, 2),
    f(r.cpuMean),
    f(r.cpuPeak),
    f(r.memPeak),
    f(r.pidsPeak, 0),
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (c: string[]) =>
    c.map((x, i) => i === 1 ? x.padEnd(w[i]) : x.padStart(w[i])).join("  ").trimEnd();
  return [line(head), w.map((n) => "-".repeat(n)).join("  "), ...body.map(line)].join("\n") + "\n";
}

const esc = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 2.5, 5, 10].map((m) => m * p).find((m) => m >= v)!;
}

/** A self-contained SVG: three panels (cpu, memory, pids) over time, tasks shaded and labelled. */
export function renderSvg(series: TaskSeries[], title = "runner resource profile"): string {
  const W = 960, left = 70, right = 20, top = 64, panelH = 150, gap = 34;
  const all = series.flatMap((t) => [...t.cpu, ...t.memory, ...t.pids]);
  const t0 = all.length ? Math.min(...all.map((s) => s.timestamp)) : 0;
  const t1 = all.length ? Math.max(...all.map((s) => s.timestamp)) : 1;
  const span = Math.max(t1 - t0, 1e-3);
  const x = (t: number) => left + ((t - t0) / span) * (W - left - right);
  const panels = [
    { key: "cpu" as const, label: "CPU (% of one core)", color: "#d9480f" },
    { key: "memory" as const, label: "Memory (MiB)", color: "#1971c2" },
    { key: "pids" as const, label: "Processes", color: "#2f9e44" },
  ];
  const H = top + panels.length * (panelH + gap) + 40;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${left}" y="24" font-size="16" font-weight="600">${esc(title)}</text>`,
    `<text x="${W - right}" y="24" text-anchor="end" fill="#555">${
      span.toFixed(1)
    } s, ${series.length} task(s)</text>`,
  ];
  panels.forEach((p, i) => {
    const y0 = top + i * (panelH + gap);
    const vals = series.flatMap((t) => t[p.key].map((s) => s.value));
    const max = niceMax(Math.max(0, ...vals) * 1.05);
    const y = (v: number) => y0 + panelH - (v / max) * panelH;
    out.push(
      `<text x="${left}" y="${y0 - 8}" font-weight="600" fill="${p.color}">${p.label}</text>`,
    );
    // Task bands, alternately shaded, so boundaries read at a glance.
    series.forEach((t, k) => {
      const ts = [...t.cpu, ...t.memory, ...t.pids].map((s) => s.timestamp);
      if (!ts.length) return;
      const a = x(Math.min(...ts)), b = x(Math.max(...ts));
      if (k % 2 === 0) {
        out.push(
          `<rect x="${a.toFixed(1)}" y="${y0}" width="${
            Math.max(1, b - a).toFixed(1)
          }" height="${panelH}" fill="#f1f3f5"/>`,
        );
      }
      out.push(
        `<line x1="${a.toFixed(1)}" x2="${a.toFixed(1)}" y1="${y0}" y2="${
          y0 + panelH
        }" stroke="#adb5bd" stroke-dasharray="3,3"/>`,
      );
      if (i === 0) {
        out.push(
          `<text x="${(a + 3).toFixed(1)}" y="${y0 + 12}" fill="#495057" font-size="10">${
            esc(`${t.n}: ${t.name}`.slice(0, 28))
          }</text>`,
        );
      }
    });
    for (const f of [0, 0.5, 1]) {
      const yy = y(max * f);
      out.push(
        `<line x1="${left}" x2="${W - right}" y1="${yy.toFixed(1)}" y2="${
          yy.toFixed(1)
        }" stroke="#dee2e6"/>`,
      );
      out.push(
        `<text x="${left - 6}" y="${(yy + 4).toFixed(1)}" text-anchor="end" fill="#555">${+(max * f)
          .toFixed(1)}</text>`,
      );
    }
    out.push(
      `<rect x="${left}" y="${y0}" width="${
        W - left - right
      }" height="${panelH}" fill="none" stroke="#868e96"/>`,
    );
    for (const t of series) {
      const pts = t[p.key].map((s) => `${x(s.timestamp).toFixed(1)},${y(s.value).toFixed(1)}`).join(
        " ",
      );
      if (pts) {
        out.push(`<polyline points="${pts}" fill="none" stroke="${p.color}" stroke-width="1.8"/>`);
      }
    }
  });
  const axisY = top + panels.length * (panelH + gap) - gap + 18;
  for (let k = 0; k <= 5; k++) {
    const t = t0 + (span * k) / 5;
    out.push(
      `<text x="${x(t).toFixed(1)}" y="${axisY}" text-anchor="middle" fill="#555">${
        (t - t0).toFixed(1)
      } s</text>`,
    );
  }
  out.push("</svg>");
  return out.join("\n") + "\n";
}
