import { assert, assertEquals } from "../testing/assert.ts";
import { HttpEmitter } from "./http.ts";
import type { JobEvent } from "../events/event.ts";

function ev(counter: number): JobEvent {
  return {
    uuid: `u${counter}`,
    counter,
    stdout: "",
    start_line: 0,
    end_line: 0,
    runner_ident: "id",
    event: "verbose",
    created: "",
  };
}

function server(handler: (body: Record<string, unknown>) => Promise<number> | number) {
  const got: Record<string, unknown>[] = [];
  const srv = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const body = await req.json();
    const code = await handler(body);
    if (code === 200) got.push(body);
    return new Response(null, { status: code });
  });
  return { got, srv, url: `http://127.0.0.1:${srv.addr.port}/ev` };
}

Deno.test("http emitter: statuses and events arrive in order", async () => {
  const { got, srv, url } = server(() => 200);
  try {
    const e = new HttpEmitter({ url, headers: { "X-Token": "t" } });
    e.status("starting", { runner_ident: "id" });
    for (let i = 1; i <= 50; i++) e.event(ev(i));
    e.status("successful", { runner_ident: "id", rc: 0 });
    await e.close();
    assertEquals(got.length, 52);
    assertEquals(got[0], { status: "starting", runner_ident: "id" });
    assertEquals(
      got.slice(1, -1).map((b) => b.counter),
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    assertEquals(got.at(-1), { status: "successful", runner_ident: "id" });
    assertEquals(e.counts, { sent: 52, dropped: 0 });
  } finally {
    await srv.shutdown();
  }
});

Deno.test("http emitter: a slow receiver never blocks the caller; the queue is bounded", async () => {
  const { srv, url } = server(() => new Promise((r) => setTimeout(() => r(200), 200)));
  try {
    const e = new HttpEmitter({ url, headers: {} }, { tuning: { maxQueue: 10, drainMs: 300 } });
    const t0 = performance.now();
    for (let i = 1; i <= 500; i++) e.event(ev(i));
    e.status("successful", { runner_ident: "id", rc: 0 });
    assert(performance.now() - t0 < 100, "pushing is instant");
    await e.close();
    const { sent, dropped } = e.counts;
    assertEquals(sent + dropped, 501);
    assert(dropped >= 490, `dropped ${dropped}`);
  } finally {
    await srv.shutdown();
  }
});

Deno.test("http emitter: a failing receiver is retried, then given up on without delaying the end", async () => {
  let calls = 0;
  const { srv, url } = server(() => (calls++, 500));
  try {
    const e = new HttpEmitter({ url, headers: {} }, { tuning: { attempts: 3, backoffMs: 10 } });
    e.status("starting", { runner_ident: "id" });
    e.event(ev(1));
    const t0 = performance.now();
    await e.close();
    assert(performance.now() - t0 < 2000);
    assertEquals(e.counts.sent, 0);
    assertEquals(e.counts.dropped, 2);
    assert(calls >= 3, "retried");
  } finally {
    await srv.shutdown();
  }
});
