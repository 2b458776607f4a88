/** End-to-end: the built-in status/event emitter with a real HTTP server and a unix socket. */
import { join } from "node:path";
import { assert, assertEquals, assertIncludes } from "../src/testing/assert.ts";
import { cleanup, playbookPdd, readEvents, runner } from "./helpers.ts";

const PLAY = "- hosts: all\n  gather_facts: false\n  tasks: [{debug: {msg: emitted}}]\n";

function collect(opts: Deno.ServeTcpOptions | Deno.ServeUnixOptions) {
  const got: { body: Record<string, unknown>; headers: Headers; path: string }[] = [];
  const handler = async (req: Request) => {
    got.push({ body: await req.json(), headers: req.headers, path: new URL(req.url).pathname });
    return new Response("ok");
  };
  const srv = "path" in opts
    ? Deno.serve({ ...opts, onListen() {} }, handler)
    : Deno.serve({ ...opts, onListen() {} }, handler);
  return { got, srv };
}

Deno.test("http: RUNNER_HTTP_URL gets every status and event in order, with headers", async () => {
  const { got, srv } = collect({ hostname: "127.0.0.1", port: 0 });
  const pdd = await playbookPdd(PLAY, {
    "env/settings": "runner_http_headers: {X-Job-Token: s3}\n",
  });
  try {
    const url = `http://127.0.0.1:${(srv.addr as Deno.NetAddr).port}/api/events`;
    const r = await runner(["run", pdd, "-p", "test.yml", "-i", "h1"], {
      env: { RUNNER_HTTP_URL: url },
    });
    assertEquals(r.code, 0, r.stderr);
    const statuses = got.filter((g) => "status" in g.body).map((g) => g.body.status);
    assertEquals(statuses, ["starting", "running", "successful"]);
    assertEquals(got[0].body, { status: "starting", runner_ident: "h1" });
    const events = await readEvents(join(pdd, "artifacts", "h1"));
    const posted = got.filter((g) => "event" in g.body).map((g) => g.body.uuid);
    assertEquals(posted, events.map((e) => e.uuid));
    assert(got.every((g) => g.headers.get("x-job-token") === "s3" && g.path === "/api/events"));
  } finally {
    await srv.shutdown();
    await cleanup(pdd);
  }
});

Deno.test("http: runner_http_path posts over a unix socket", async () => {
  const dir = await Deno.makeTempDir();
  const sock = join(dir, "emitter.sock");
  const { got, srv } = collect({ path: sock });
  const pdd = await playbookPdd(PLAY, { "env/settings": `runner_http_path: ${sock}\n` });
  try {
    const r = await runner(["run", pdd, "-p", "test.yml", "-i", "h2"]);
    assertEquals(r.code, 0, r.stderr);
    assertEquals(got.at(-1)!.body, { status: "successful", runner_ident: "h2" });
    assert(got.some((g) => g.body.event === "playbook_on_stats"));
  } finally {
    await srv.shutdown();
    await cleanup(pdd);
    await cleanup(dir);
  }
});

Deno.test("http: a receiver that is down neither fails nor delays the job; drops are reported", async () => {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close(); // nothing listens there now
  const pdd = await playbookPdd(PLAY);
  try {
    const r = await runner(["run", pdd, "-p", "test.yml", "-i", "h3"], {
      env: { RUNNER_HTTP_URL: `http://127.0.0.1:${port}/` },
    });
    assertEquals(r.code, 0);
    assertEquals(await Deno.readTextFile(join(pdd, "artifacts", "h3", "status")), "successful");
    assertIncludes(r.stderr, "http emitter dropped");
    assert(r.ms < 15_000, `took ${r.ms} ms`);
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("http: a bad runner_http_url is a clear error before anything runs", async () => {
  const pdd = await playbookPdd(PLAY, { "env/settings": "runner_http_url: ftp://x/\n" });
  try {
    const r = await runner(["run", pdd, "-p", "test.yml"]);
    assertEquals(r.code, 1);
    assertIncludes(
      r.stderr,
      "env/settings: key 'runner_http_url': 'ftp://x/' is not an http(s) URL",
    );
  } finally {
    await cleanup(pdd);
  }
});
