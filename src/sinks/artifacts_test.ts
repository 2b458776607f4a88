import { assertEquals } from "../testing/assert.ts";
import { ArtifactWriter, writeEventJson, writeEventText, writeText } from "./artifacts.ts";
import { join } from "../runtime/path.ts";
import type { JobEvent } from "../events/event.ts";

class Buf {
  parts: Uint8Array[] = [];
  writeSync(p: Uint8Array): number {
    this.parts.push(p.slice());
    return p.length;
  }
  text(): string {
    return new TextDecoder().decode(new Uint8Array(this.parts.flatMap((p) => [...p])));
  }
}

const event = (stdout: string): JobEvent => ({
  uuid: "u",
  counter: 7,
  stdout,
  start_line: 1,
  end_line: 2,
  runner_ident: "i",
  event: "runner_on_ok",
  created: "c",
  event_data: { res: { 'q"': "\u2028" } },
});

Deno.test("artifacts: sliced JSON is byte-identical to JSON.stringify, surrogates included", () => {
  // Large text with emoji placed so pairs straddle slice boundaries, quotes and control chars.
  const unit = '😀 "quoted" \\ back\ttab\r\nline ✓ ';
  for (const pad of [0, 1, 2, 3]) {
    const big = "x".repeat(pad) + unit.repeat(9000);
    const b = new Buf();
    writeEventJson(b, event(big), new TextEncoder());
    assertEquals(b.text(), JSON.stringify(event(big)));
    const t = new Buf();
    writeText(t, big, new TextEncoder());
    assertEquals(t.text(), big);
    const line = new Buf();
    writeEventJson(line, event(big), new TextEncoder(), "\n");
    assertEquals(line.text(), JSON.stringify(event(big)) + "\n");
  }
  const small = new Buf();
  writeEventJson(small, event("short"), new TextEncoder());
  assertEquals(small.text(), JSON.stringify(event("short")));
  const smallLine = new Buf();
  writeEventJson(smallLine, event("short"), new TextEncoder(), "\n");
  assertEquals(smallLine.text(), JSON.stringify(event("short")) + "\n");
  const text = new Buf();
  writeText(text, "short", new TextEncoder(), "\n");
  assertEquals(text.text(), "short\n");
});

Deno.test("artifacts: event text; whole lines printed outside callbacks end in CRLF, blank ones too", () => {
  const text = (ev: Partial<JobEvent>, withData = true) => {
    const b = new Buf();
    const full: JobEvent = { ...event(""), ...ev };
    if (!withData) delete full.event_data;
    writeEventText(b, full, new TextEncoder());
    return b.text();
  };
  assertEquals(text({ stdout: "ok: [h]" }), "ok: [h]\n");
  assertEquals(text({ stdout: "" }), "", "an event without text writes nothing");
  // A verbose event from the plugin's records (Display output in a job: it has event_data).
  assertEquals(
    text({ event: "verbose", stdout: "Pausing", start_line: 3, end_line: 4 }),
    "Pausing\n",
  );
  // Lines outside any record: the parser's verbose events, without event_data.
  const verbose = { event: "verbose", start_line: 3, end_line: 4 };
  assertEquals(text({ ...verbose, stdout: "ERROR! bad" }, false), "ERROR! bad\r\n");
  assertEquals(text({ ...verbose, stdout: "" }, false), "\r\n", "a blank line stays");
  // The last line of the output, without a newline: no line end was printed.
  assertEquals(text({ ...verbose, stdout: "tail", end_line: 3 }, false), "tail\n");
  assertEquals(text({ ...verbose, stdout: "", end_line: 3 }, false), "");
});

Deno.test("artifacts: job_events/ and stdout exist at the end of a job without events", async () => {
  const base = await Deno.makeTempDir();
  try {
    for (const suppressOutputFile of [false, true]) {
      const dir = join(base, String(suppressOutputFile), "ident");
      const w = new ArtifactWriter({ dir, suppressOutputFile });
      w.status("failed", { runner_ident: "ident", rc: 127 });
      w.close();
      assertEquals(Deno.statSync(join(dir, "job_events")).mode! & 0o777, 0o700);
      assertEquals([...Deno.readDirSync(join(dir, "job_events"))], []);
      assertEquals(Deno.readTextFileSync(join(dir, "status")), "failed");
      if (suppressOutputFile) {
        assertEquals([...Deno.readDirSync(dir)].some((e) => e.name === "stdout"), false);
      } else {
        assertEquals(Deno.readTextFileSync(join(dir, "stdout")), "");
        assertEquals(Deno.statSync(join(dir, "stdout")).mode! & 0o777, 0o600);
      }
    }
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});
