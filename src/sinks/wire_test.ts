import { assertEquals } from "../testing/assert.ts";
import { WireSink } from "./wire.ts";

/** A writer that keeps the lines written to it. */
function lines(): { out: { writeSync(p: Uint8Array): number }; read(): unknown[] } {
  let text = "";
  const dec = new TextDecoder();
  return {
    out: {
      writeSync(p) {
        text += dec.decode(p);
        return p.length;
      },
    },
    read: () => text.trimEnd().split("\n").map((l) => JSON.parse(l)),
  };
}

Deno.test("wire: an error status carries its reason as result_traceback, AWX's field", () => {
  const w = lines();
  const sink = new WireSink({ out: w.out, artifactDir: "/nonexistent" });
  sink.status("error", { runner_ident: "a", rc: 1, job_explanation: "runner: it broke" });
  sink.status("failed", { runner_ident: "a", rc: 2 });
  WireSink.fail(w.out, "Failed to read the transmit stream: x");
  WireSink.fail(w.out, "canceled before it started", undefined, "canceled");
  assertEquals(w.read(), [
    {
      status: "error",
      runner_ident: "a",
      job_explanation: "runner: it broke",
      result_traceback: "runner: it broke",
    },
    { status: "failed", runner_ident: "a" },
    {
      status: "error",
      job_explanation: "Failed to read the transmit stream: x",
      result_traceback: "Failed to read the transmit stream: x",
    },
    { eof: true },
    { status: "canceled", job_explanation: "canceled before it started" },
    { eof: true },
  ]);
});
