import { assertEquals } from "../testing/assert.ts";
import { Redactor } from "./redact.ts";
import { type JobEvent, setTerminalLineEnd, terminalLineEnd } from "./event.ts";

Deno.test("redact: secrets are masked in stdout and nested event data", () => {
  const r = new Redactor(["hunter2", "x"]);
  const ev = r.event({
    uuid: "u",
    counter: 1,
    stdout: "pw=hunter2",
    start_line: 0,
    end_line: 1,
    runner_ident: "i",
    event: "runner_on_ok",
    created: "",
    event_data: { res: { cmd: ["echo", "hunter2"], x: "x" } },
  });
  assertEquals(ev.stdout, "pw=********");
  assertEquals(ev.event_data, { res: { cmd: ["echo", "********"], x: "x" } });
});

Deno.test("redact: a terminal line keeps the break it came with", () => {
  const line: JobEvent = {
    event: "verbose",
    uuid: "u",
    counter: 1,
    stdout: "pw hunter2",
    start_line: 0,
    end_line: 0,
    runner_ident: "i",
    created: "2026-01-01T00:00:00+00:00",
  };
  const ev = setTerminalLineEnd(line, "\r");
  const clean = new Redactor(["hunter2"]).event(ev);
  assertEquals([clean.stdout, terminalLineEnd(clean)], ["pw ********", "\r"]);
});
