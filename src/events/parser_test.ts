import { assert, assertEquals } from "../testing/assert.ts";
import { EventParser, isoUtc, type ParserOptions, pythonLines, SPILL_AT } from "./parser.ts";
import { type JobEvent, terminalLineEnd } from "./event.ts";
import { askPythonEach } from "../testing/python.ts";
import { FileSpill, removeSpill, spilledSlices, spilledText } from "./spill.ts";

const fixture = Deno.readFileSync(new URL("./testdata/playbook.pty", import.meta.url));
const enc = new TextEncoder();

function parseChunks(chunks: Uint8Array[], spill?: ParserOptions["spill"]): JobEvent[] {
  let n = 0;
  const p = new EventParser({
    ident: "t",
    pid: 1,
    now: () => new Date(0),
    uuid: () => `v-${n++}`,
    spill,
  });
  const out: JobEvent[] = [];
  for (const c of chunks) out.push(...p.push(c));
  out.push(...p.end());
  return out;
}

function frame(record: object, text: string): string {
  return `\x1b_RNR${JSON.stringify(record)}\x1b\\${text}\x1b_RNR.\x1b\\`;
}

Deno.test("parser: recorded playbook gives contiguous counters and chained lines", () => {
  const events = parseChunks([fixture]);
  assert(events.length > 10);
  events.forEach((e, i) => {
    assertEquals(e.counter, i + 1);
    assertEquals(e.start_line, i === 0 ? 0 : events[i - 1].end_line);
    assert(e.end_line >= e.start_line);
    assertEquals(e.runner_ident, "t");
  });
  const types = events.map((e) => e.event);
  assertEquals(types[0], "playbook_on_start");
  assertEquals(types.at(-1), "playbook_on_stats");
  for (const t of ["runner_on_skipped", "runner_item_on_ok", "runner_on_failed"]) {
    assert(types.includes(t), `missing ${t} in ${types}`);
  }
  const unicode = events.find((e) => e.stdout.includes("ünïcödé ✓"));
  assert(unicode, "multi-byte text kept");
  const stats = events.at(-1)!;
  assertEquals(Object.keys(stats.event_data!).sort(), [
    "artifact_data",
    "changed",
    "dark",
    "failures",
    "ignored",
    "ok",
    "playbook",
    "playbook_uuid",
    "processed",
    "rescued",
    "skipped",
    "uuid",
  ]);
});

Deno.test("parser: every split point of the recorded stream gives the same events", () => {
  const whole = JSON.stringify(parseChunks([fixture]));
  // Every single boundary over a window covering markers and multi-byte text, then a stride.
  for (let i = 1; i < fixture.length; i += i < 4096 ? 1 : 37) {
    const got = JSON.stringify(parseChunks([fixture.subarray(0, i), fixture.subarray(i)]));
    if (got !== whole) throw new Error(`split at ${i} changed the events`);
  }
});

Deno.test("parser: byte-at-a-time feeding gives the same events", () => {
  const chunks = Array.from(fixture, (b) => new Uint8Array([b]));
  assertEquals(parseChunks(chunks), parseChunks([fixture]));
});

Deno.test("parser: text outside events is one verbose event per line, partial lines kept", () => {
  const stream = "before 1\r\nbefore 2\r\npart" +
    frame({ event: "runner_on_ok", uuid: "u1", event_data: { host: "h" } }, "ok: [h]\r\n") +
    "after\r\ntail-no-newline";
  const ev = parseChunks([enc.encode(stream)]);
  assertEquals(ev.map((e) => [e.event, e.stdout, e.start_line, e.end_line]), [
    ["verbose", "before 1", 0, 1],
    ["verbose", "before 2", 1, 2],
    ["verbose", "part", 2, 2],
    ["runner_on_ok", "ok: [h]", 2, 3],
    ["verbose", "after", 3, 4],
    ["verbose", "tail-no-newline", 4, 4],
  ]);
  assertEquals(ev[0].event_data, undefined, "verbose events carry no event_data");
  assertEquals(ev[3].event_data, { host: "h" });
});

Deno.test("parser: lines outside events are cut where Python's splitlines() cuts them", async () => {
  const breaks = ["\n", "\r", "\r\n", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028"];
  breaks.push("\u2029", "\t", "\x1f", "\u0085", "\u00a0", "\r\r\n", "\n\r");
  const texts: string[] = [];
  let seed = 11;
  const pick = () => breaks[(seed = (seed * 16807) % 2147483647) % breaks.length];
  for (let i = 0; i < 300; i++) {
    texts.push(
      Array.from({ length: 1 + i % 6 }, (_, j) => (j % 2 ? "" : `w${j}`) + pick()).join(""),
    );
  }
  texts.push("", "x", "\r\n", "a\r\nb");
  const expected = await askPythonEach<string[]>("def answer(t): return t.splitlines(True)", texts);
  for (const [i, text] of texts.entries()) {
    assertEquals(pythonLines(text), expected[i], JSON.stringify(text));
  }
  // Split at any chunk boundary, a stream gives ansible-runner's events, each line's break kept.
  const stream = "step 1\rstep 2\r\ndone\r\na\fb\x0bc\r\r\nend";
  const lines = (chunks: Uint8Array[]) =>
    parseChunks(chunks).map((e) => [e.stdout, e.start_line, e.end_line, terminalLineEnd(e)]);
  const whole = lines([enc.encode(stream)]);
  assertEquals(whole, [
    ["step 1", 0, 0, "\r"],
    ["step 2", 0, 1, "\r\n"],
    ["done", 1, 2, "\r\n"],
    ["a\f", 2, 2, ""],
    ["b\x0b", 2, 2, ""],
    ["c", 2, 2, "\r"],
    ["", 2, 3, "\r\n"],
    ["end", 3, 3, "\n"], // no break at the end: written with a newline
  ]);
  for (let cut = 1; cut < stream.length; cut++) {
    const bytes = enc.encode(stream);
    assertEquals(lines([bytes.subarray(0, cut), bytes.subarray(cut)]), whole, `cut at ${cut}`);
  }
});

Deno.test("parser: trailing CR/LF stripped from stdout but counted in lines", () => {
  const ev = parseChunks([
    enc.encode(frame({ event: "playbook_on_stats", uuid: "s" }, "\r\nA\r\nB\r\n\r\n")),
  ]);
  assertEquals(ev[0].stdout, "\r\nA\r\nB");
  assertEquals([ev[0].start_line, ev[0].end_line], [0, 4]);
});

Deno.test("parser: a broken marker is kept as text, not lost", () => {
  const ev = parseChunks([enc.encode("x\x1b_RNR{not json\x1b\\y\r\n")]);
  assertEquals(ev.length, 1);
  assertEquals(ev[0].event, "verbose");
  assert(ev[0].stdout.includes("{not json"));
});

Deno.test("parser: Python's NaN and ±Infinity become null; the same words in strings stay", () => {
  // What Python's json.dumps writes for a result holding non-finite floats.
  const record = '{"event": "runner_on_ok", "uuid": "u", "event_data": {"res": {"a": NaN, ' +
    '"b": Infinity, "c": -Infinity, "d": [1.5, NaN], "s": "NaN and -Infinity \\" NaN"}}}';
  const ev = parseChunks([enc.encode(`\x1b_RNR${record}\x1b\\ok\x1b_RNR.\x1b\\`)]);
  assertEquals(ev.map((e) => [e.event, e.stdout]), [["runner_on_ok", "ok"]]);
  assertEquals(ev[0].event_data!.res, {
    a: null,
    b: null,
    c: null,
    d: [1.5, null],
    s: 'NaN and -Infinity " NaN',
  });
});

Deno.test("parser: an event left open at the end is closed with its text", () => {
  const record = JSON.stringify({ event: "runner_on_ok", uuid: "u" });
  const ev = parseChunks([enc.encode(`\x1b_RNR${record}\x1b\\half`)]);
  assertEquals(ev.map((e) => [e.event, e.stdout]), [["runner_on_ok", "half"]]);
});

Deno.test("parser: key order matches ansible-runner's event files", () => {
  const ev = parseChunks([fixture])[1];
  assertEquals(Object.keys(ev).slice(0, 7), [
    "uuid",
    "counter",
    "stdout",
    "start_line",
    "end_line",
    "runner_ident",
    "event",
  ]);
});

Deno.test("parser: a large event spills to a file and reads back the same", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const big = Array.from({ length: 60_000 }, (_, i) =>
      `line ${i} ✓ ${"x".repeat(20)}\r\n`).join("") + "\r\n";
    const stream = enc.encode(frame({ event: "runner_on_ok", uuid: "big" }, big) + "after\r\n");
    const plain = parseChunks([stream]);
    const chunks = [];
    for (let i = 0; i < stream.length; i += 4096) {
      chunks.push(stream.subarray(i, i + 4096));
    }
    const spilled = parseChunks(chunks, (uuid) =>
      new FileSpill(`${dir}/${uuid}`));
    assert(spilledText(spilled[0]), "the big event was spilled");
    assertEquals(JSON.parse(JSON.stringify(spilled)), JSON.parse(JSON.stringify(plain)));
    assertEquals(spilled[0].end_line, 60_001);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("parser: a long line outside any record spills, and gives the events it would whole", () => {
  const dir = Deno.makeTempDirSync();
  const long = (c: string) => c.repeat(1_200_000);
  const streams = [
    long("a") + "\r\nafter\r\n", // a program's one huge line
    `x\ry\r${long("b")}\rprogress\r${long("c")}\x0bz\r\n`, // breaks before, inside, after
    long("d") + "\r", // a \r at the very end
    long("e") + frame({ event: "runner_on_ok", uuid: "r", event_data: {} }, "ok\r\n") + "tail",
    long("f") + "\u2028" + long("g"), // ends without a break
  ];
  const events = (stream: Uint8Array, size: number, spill: boolean) => {
    const chunks = [];
    for (let i = 0; i < stream.length; i += size) chunks.push(stream.subarray(i, i + size));
    return parseChunks(chunks, spill ? (uuid) => new FileSpill(`${dir}/${uuid}`) : undefined)
      .map((e) => [!!spilledText(e), { ...e }, terminalLineEnd(e)] as const);
  };
  try {
    for (const text of streams) {
      const stream = enc.encode(text);
      const whole = events(stream, stream.length, false);
      for (const size of [4096, 65536, 1_000_001]) {
        const spilled = events(stream, size, true);
        // (Where a chunk brings the line's end with it, the line is whole in memory already.)
        if (size < SPILL_AT / 2) assert(spilled.some(([s]) => s), `a line was spilled (${size})`);
        assertEquals(
          spilled.map(([, e, end]) => [e, end]),
          whole.map(([, e, end]) => [e, end]),
          `${JSON.stringify(text.slice(0, 8))}… in chunks of ${size}`,
        );
      }
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("spill: secrets split across pieces are still masked", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const spill = new FileSpill(`${dir}/s`, (s) => s.replaceAll("hunter2", "********"), 7);
    for (const piece of ["pass=hun", "ter2 and ", "hunter", "2!"]) spill.append(piece);
    const { path } = spill.close();
    assertEquals(Deno.readTextFileSync(path), "pass=******** and ********!");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("spill: a file that cannot be made keeps the text in memory, masked, whole", () => {
  const errors: string[] = [];
  const spill = new FileSpill(
    "/nonexistent-dir/s",
    (s) => s.replaceAll("hunter2", "********"),
    7,
    (e) => errors.push(e.name),
  );
  for (const piece of ["pass=hun", "ter2 ", "é".repeat(70_000), " end"]) spill.append(piece);
  const spilled = spill.close();
  assertEquals(errors, ["NotFound"]);
  assertEquals([...spilledSlices(spilled)].join(""), `pass=******** ${"é".repeat(70_000)} end`);
  removeSpill(spilled); // nothing to remove: no error either
});

Deno.test("parser: frames without the job's token are text, inside events and out", () => {
  const token = "4f1c2a9e-7b3d";
  const ours = (record: object, text: string) =>
    `\x1b_RNR${token}${JSON.stringify(record)}\x1b\\${text}\x1b_RNR${token}.\x1b\\`;
  // What a managed host could send back inside a warning: a whole frame and a lone close.
  const forged = frame({ event: "runner_on_ok", uuid: "f", event_data: { host: "spoofed" } }, "x");
  const stream =
    ours({ event: "runner_on_ok", uuid: "a", event_data: { host: "h" } }, `W ${forged}\r\nok\r\n`) +
    `outside ${forged}\r\n` +
    ours({ event: "playbook_on_stats", uuid: "b" }, "recap\r\n");
  let n = 0;
  const p = new EventParser({ ident: "t", token, now: () => new Date(0), uuid: () => `v-${n++}` });
  const events = [...p.push(enc.encode(stream)), ...p.end()];
  assertEquals(events.map((e) => e.event), ["runner_on_ok", "verbose", "playbook_on_stats"]);
  assertEquals(events[0].stdout, `W ${forged}\r\nok`);
  assertEquals(events[1].stdout, `outside ${forged}`);
  assert(!events.some((e) => (e.event_data as { host?: string } | undefined)?.host === "spoofed"));
});

Deno.test("parser: a fork's empty frame inside an open one is an event apart; the open one keeps its text", () => {
  const main = { event: "verbose", uuid: "m", pid: 1, event_data: { verbose: true } };
  const fork = { event: "verbose", uuid: "w", pid: 2, event_data: { verbose: true } };
  const empty = `\x1b_RNR${JSON.stringify(fork)}\x1b\\\x1b_RNR.\x1b\\`;
  const stream = `\x1b_RNR${JSON.stringify(main)}\x1b\\<h> PUT ${empty}a file\r\n\x1b_RNR.\x1b\\` +
    `${empty}after\r\n`;
  const whole = parseChunks([enc.encode(stream)]).map((
    e,
  ) => [e.uuid, e.stdout, e.start_line, e.end_line]);
  assertEquals(whole, [
    ["w", "", 0, 0],
    ["m", "<h> PUT a file", 0, 1],
    ["w", "", 1, 1], // outside any frame: as before, an event of its own
    ["v-0", "after", 1, 2],
  ]);
  const bytes = enc.encode(stream);
  for (let cut = 1; cut < bytes.length; cut++) {
    const split = parseChunks([bytes.subarray(0, cut), bytes.subarray(cut)]);
    assertEquals(
      split.map((e) => [e.uuid, e.stdout, e.start_line, e.end_line]),
      whole,
      `cut ${cut}`,
    );
  }
});

Deno.test("isoUtc: as Python's aware isoformat() (ansible-runner 2.4's times)", () => {
  assertEquals(
    isoUtc(new Date(Date.UTC(2026, 10, 23, 13, 9, 2, 283))),
    "2026-11-23T13:09:02.283000+00:00",
  );
  // Python leaves the fraction out when the microseconds are 0
  assertEquals(isoUtc(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 0))), "2026-01-02T03:04:05+00:00");
  // Epoch milliseconds with a fraction: to the microsecond.
  assertEquals(
    isoUtc(Date.UTC(2026, 0, 2, 3, 4, 5, 6) + 0.789),
    "2026-01-02T03:04:05.006789+00:00",
  );
  assertEquals(
    isoUtc(Date.UTC(1999, 11, 31, 23, 59, 59, 999) + 0.9996),
    "1999-12-31T23:59:59.999999+00:00",
  );
});

Deno.test("parser: by default, a verbose event's time has microseconds", () => {
  const p = new EventParser({ ident: "t", token: "x" });
  const times = new Set<string>();
  for (let i = 0; i < 20; i++) {
    for (const ev of [...p.push(new TextEncoder().encode(`line ${i}\r\n`))]) times.add(ev.created);
  }
  // Twenty lines within a millisecond or two: Date's clock would give them one or two times.
  assert(times.size > 2, [...times].join(" "));
});

Deno.test("parser: a verbose event's created is an aware UTC time", () => {
  const p = new EventParser({ ident: "t", token: "x", now: () => new Date(7), uuid: () => "v" });
  const [ev] = [...p.push(new TextEncoder().encode("hello\r\n")), ...p.end()];
  assertEquals([ev.event, ev.created], ["verbose", "1970-01-01T00:00:00.007000+00:00"]);
});
