/**
 * End-to-end: transmit | worker | process through real pipes, with runner on either side and
 * Debian's Python ansible-runner on the other (Debian 12's 2.3.1, and Debian 13's 2.4.1 as
 * .ci/fetch-newer-ansible.sh unpacks it); hostile and broken streams.
 */
import { join } from "node:path";
import { assert, assertEquals, assertIncludes } from "../src/testing/assert.ts";
import {
  cleanup,
  exists,
  LOCAL_INVENTORY,
  makePdd,
  mountSmallDisk,
  NEWER_ANSIBLE_DIR,
  newerAnsible,
  readEvents,
  ROOT,
  spawnRunner,
  waitForOutput,
  walkFiles,
} from "./helpers.ts";

const DENO = Deno.execPath();
const OURS = [DENO, "run", "-A", "--no-lock", join(ROOT, "main.ts")];
const PY = ["/usr/bin/ansible-runner"];
const NEWER = await newerAnsible();
/** ansible-runner 2.4.1 (its worker runs ansible-core 2.19). */
const PY24 = NEWER?.ansibleRunner ?? ["false"];

const PLAY = `- hosts: all
  gather_facts: false
  tasks:
    - ansible.builtin.debug: msg="streamed {{ lookup('env', 'STREAM_VAR') }}"
`;
const FAILING =
  "- hosts: all\n  gather_facts: false\n  tasks:\n    - ansible.builtin.command: /bin/false\n";

/** How {@link workerOn} starts the worker. */
interface WorkerStart {
  stderr?: "piped" | "null";
  /** Only the first half of the stream is written, and the writer stays open. */
  stall?: boolean;
  /** The worker's own arguments and environment. */
  args?: string[];
  env?: Record<string, string>;
  /** transmit's arguments after the private data dir (default `-p test.yml`). */
  job?: string[];
}

/** Our transmit of `pdd`, fed to our worker: the running worker, and the writer of its input. */
async function workerOn(
  pdd: string,
  start: WorkerStart = {},
): Promise<Deno.ChildProcess & { input: WritableStreamDefaultWriter<Uint8Array> }> {
  const tx = await new Deno.Command(OURS[0], {
    args: [...OURS.slice(1), "transmit", pdd, ...start.job ?? ["-p", "test.yml"]],
    stdout: "piped",
  }).output();
  const worker = new Deno.Command(OURS[0], {
    args: [...OURS.slice(1), "worker", ...start.args ?? []],
    env: start.env,
    stdin: "piped",
    stdout: "piped",
    stderr: start.stderr ?? "null",
  }).spawn();
  const input = worker.stdin.getWriter();
  await input.write(start.stall ? tx.stdout.subarray(0, tx.stdout.length >> 1) : tx.stdout);
  if (!start.stall) await input.close();
  return Object.assign(worker, { input });
}

/** Runs a shell pipeline of argv stages; returns each stage's exit code and the last stdout. */
async function pipeline(
  stages: string[][],
  input?: Uint8Array,
): Promise<{ codes: number[]; stdout: string; stderr: string[] }> {
  const procs = stages.map((argv) =>
    new Deno.Command(argv[0], {
      args: argv.slice(1),
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn()
  );
  const pipes = procs.slice(1).map((p, i) => procs[i].stdout.pipeTo(p.stdin));
  const first = procs[0].stdin.getWriter();
  if (input) await first.write(input);
  await first.close();
  const [out, ...errs] = await Promise.all([
    new Response(procs.at(-1)!.stdout).text(),
    ...procs.map((p) => new Response(p.stderr).text()),
  ]);
  await Promise.all(pipes.map((p) => p.catch(() => {})));
  const codes = await Promise.all(procs.map(async (p) => (await p.status).code));
  return { codes, stdout: out, stderr: errs };
}

async function jobPdd(play = PLAY): Promise<string> {
  return await makePdd({
    "inventory/hosts": LOCAL_INVENTORY,
    "project/test.yml": play,
    "env/envvars": "STREAM_VAR: across-the-wire\n",
  });
}

const COMBOS: [string, string[], string[], string[]][] = [
  ["runner → runner → runner", OURS, OURS, OURS],
  ["python → runner → python", PY, OURS, PY],
  ["runner → python → runner", OURS, PY, OURS],
  ["python 2.4 → runner → python 2.4", PY24, OURS, PY24],
  ["runner → python 2.4 → runner", OURS, PY24, OURS],
];

for (const [name, tx, wk, pr] of COMBOS) {
  Deno.test(`streaming: ${name} runs the job and records its artifacts`, async () => {
    if ([tx, wk, pr].includes(PY24) && !NEWER) {
      throw new Error(
        `no ansible-runner 2.4 in ${NEWER_ANSIBLE_DIR}: run .ci/fetch-newer-ansible.sh`,
      );
    }
    const pdd = await jobPdd();
    const ctl = await Deno.makeTempDir({ prefix: "runner_ctl_" });
    try {
      const r = await pipeline([
        // ansible-runner's transmit sends forks as a string ("2"), runner's as a number.
        [...tx, "transmit", pdd, "-p", "test.yml", "-i", "wire1", "--forks", "2"],
        [...wk, "worker"],
        [...pr, "process", ctl, "-i", "wire1"],
      ]);
      assertEquals(r.codes, [0, 0, 0], r.stderr.join("\n"));
      assertIncludes(r.stdout, "streamed across-the-wire");
      const dir = join(ctl, "artifacts", "wire1");
      const command = JSON.parse(await Deno.readTextFile(join(dir, "command"))).command;
      assertIncludes(command.join(" "), "--forks 2");
      assertEquals(await Deno.readTextFile(join(dir, "status")), "successful");
      assertEquals(await Deno.readTextFile(join(dir, "rc")), "0");
      const events = await readEvents(dir);
      assertEquals(events.map((e) => e.counter), events.map((_, i) => i + 1));
      assertEquals(events[0].event, "playbook_on_start");
      assertEquals(events.at(-1)!.event, "playbook_on_stats");
      const stdout = await Deno.readTextFile(join(dir, "stdout"));
      assertEquals(stdout, events.filter((e) => e.stdout).map((e) => e.stdout + "\n").join(""));
    } finally {
      await cleanup(pdd);
      await cleanup(ctl);
    }
  });
}

// Events travel as lines and `process` records them: like ansible-runner's, the worker writes no
// event files, so its artifacts zip does not carry every event a second time.
Deno.test("worker: writes no event files; its stdout artifact is whole (as ansible-runner's)", async () => {
  const pdd = await jobPdd();
  const dests = [await Deno.makeTempDir(), await Deno.makeTempDir()];
  try {
    for (const [wk, dest] of [[OURS, dests[0]], [PY, dests[1]]] as const) {
      const r = await pipeline([
        [...OURS, "transmit", pdd, "-p", "test.yml", "-i", "nofiles"],
        [...wk, "worker", "--private-data-dir", dest],
      ]);
      assertEquals(r.codes, [0, 0], r.stderr.join("\n"));
      const events = r.stdout.split("\n").filter((l) =>
        l.includes('"event": ') || l.includes('"event":')
      );
      assert(events.length > 5, `${events.length} events on the wire`);
      const dir = join(dest, "artifacts", "nofiles");
      assertEquals([...Deno.readDirSync(join(dir, "job_events"))], [], `worker ${wk.join(" ")}`);
      assertIncludes(await Deno.readTextFile(join(dir, "stdout")), "streamed across-the-wire");
    }
  } finally {
    await cleanup(pdd);
    for (const d of dests) await cleanup(d);
  }
});

// A full disk on the node is the node's trouble, not the stream's: said as such.
Deno.test("worker: a full disk while unpacking: an error status naming it, eof, exit 1", async () => {
  const pdd = await jobPdd();
  await Deno.writeFile(
    join(pdd, "project", "blob"),
    crypto.getRandomValues(new Uint8Array(60_000)),
  );
  const disk = await Deno.makeTempDir();
  const unmount = await mountSmallDisk(disk, "40k");
  try {
    const r = await pipeline([
      [...OURS, "transmit", pdd, "-p", "test.yml"],
      [...OURS, "worker", "--private-data-dir", join(disk, "pdd")],
    ]);
    assertEquals(r.codes, [0, 1], r.stderr.join("\n"));
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assertEquals(lines.at(-1), { eof: true });
    assertEquals(lines.at(-2)?.status, "error");
    assertEquals(
      lines.at(-2)?.job_explanation,
      `Failed to extract the private data dir into ${join(disk, "pdd")}: No space left on device`,
    );
  } finally {
    await unmount();
    await cleanup(pdd);
    await cleanup(disk);
  }
});

Deno.test("worker, transmit: a temporary dir that cannot take the zip is named, exit 1", async () => {
  const pdd = await jobPdd();
  try {
    const tmp = { TMPDIR: "/no/such/tmp" };
    const tx = await new Deno.Command(OURS[0], {
      args: [...OURS.slice(1), "transmit", pdd, "-p", "test.yml"],
      env: tmp,
      stdout: "null",
      stderr: "piped",
    }).output();
    assertEquals(tx.code, 1);
    const why =
      "cannot write a zip into /no/such/tmp (the temporary dir): No such file or directory";
    assertEquals(new TextDecoder().decode(tx.stderr).trim(), `runner: error: ${why}`);
    const node = await Deno.makeTempDir({ prefix: "runner_node_" });
    // With a private data dir given, the zip has nowhere to wait; without, the dir itself.
    const cases: [string[], string][] = [
      [[`--private-data-dir=${node}/pdd`], `Failed to receive the private data dir: ${why}`],
      [
        [],
        "cannot make the private data dir in /no/such/tmp (the temporary dir): " +
        "No such file or directory",
      ],
    ];
    for (const [args, explanation] of cases) {
      const worker = await workerOn(pdd, { args, env: tmp });
      const [status, out] = await Promise.all([worker.status, new Response(worker.stdout).text()]);
      assertEquals(status.code, 1);
      assertEquals(out.trimEnd().split("\n").map((l) => JSON.parse(l)), [
        { status: "error", job_explanation: explanation, result_traceback: explanation },
        { eof: true },
      ]);
    }
    await cleanup(node);
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("streaming: a failed job's rc comes through process's exit status", async () => {
  const pdd = await jobPdd(FAILING);
  const ctl = await Deno.makeTempDir();
  try {
    const r = await pipeline([
      [...OURS, "transmit", pdd, "-p", "test.yml"],
      [...OURS, "worker"],
      [...OURS, "process", ctl, "-q"],
    ]);
    assertEquals(r.codes, [0, 2, 2]);
    assertEquals(r.stdout, "");
    assertEquals(await Deno.readTextFile(join(ctl, "artifacts", "status")), "failed");
  } finally {
    await cleanup(pdd);
    await cleanup(ctl);
  }
});

Deno.test("process: a full disk is said, the events still reach the console, exit 1", async () => {
  const loop = "- hosts: all\n  gather_facts: false\n  tasks:\n" +
    '    - ansible.builtin.debug: msg="item {{ item }}"\n      loop: "{{ range(400) | list }}"\n';
  const pdd = await jobPdd(loop);
  const ctl = await Deno.makeTempDir();
  const unmount = await mountSmallDisk(ctl, "300k");
  try {
    const r = await pipeline([
      [...OURS, "transmit", pdd, "-p", "test.yml"],
      [...OURS, "worker"],
      [...OURS, "process", ctl],
    ]);
    assertEquals(r.codes, [0, 0, 1], r.stderr[2]);
    const said = r.stderr[2].split("\n").filter((l) => l.startsWith("runner:"));
    assertIncludes(said[0], "cannot write job_events/");
    assertIncludes(said.at(-1)!, "cannot unpack the worker's artifacts into");
    assert(said.every((l) => !l.includes("    at ")), "no stack trace");
    for (let i = 0; i < 400; i++) assertIncludes(r.stdout, `"msg": "item ${i}"`);
  } finally {
    await unmount();
    await cleanup(pdd);
    await cleanup(ctl);
  }
});

Deno.test("streaming: transmit keeps modes, mtimes and symlinks, skips FIFOs", async () => {
  const pdd = await jobPdd();
  const dest = await Deno.makeTempDir();
  try {
    await Deno.chmod(join(pdd, "inventory/hosts"), 0o751);
    await Deno.utime(join(pdd, "project/test.yml"), 1_600_000_000, 1_600_000_000);
    await Deno.symlink("../project/test.yml", join(pdd, "env/link"));
    await new Deno.Command("mkfifo", { args: [join(pdd, "env/fifo")] }).output();
    // The worker unpacks into --private-data-dir (and runs a job that does nothing).
    const r = await pipeline([
      [...OURS, "transmit", pdd, "-b", "/bin/true"],
      [...OURS, "worker", "--private-data-dir", dest],
    ]);
    assertEquals(r.codes, [0, 0], r.stderr.join("\n"));
    assertEquals((await Deno.lstat(join(dest, "env/link"))).isSymlink, true);
    assertEquals(await Deno.readLink(join(dest, "env/link")), "../project/test.yml");
    assert(
      !(await exists(join(dest, "env/fifo"))),
      "FIFO skipped",
    );
    assertEquals((await Deno.stat(join(dest, "inventory/hosts"))).mode! & 0o777, 0o751);
    assertEquals(
      (await Deno.stat(join(dest, "project/test.yml"))).mtime!.getTime(),
      1_600_000_000_000,
    );
  } finally {
    await cleanup(pdd);
    await cleanup(dest);
  }
});

/** A transmit stream holding a zip that Python's zipfile builds from a recipe. */
async function hostileStream(recipe: string): Promise<Uint8Array> {
  const py = `
import io, json, sys, zipfile, base64
buf = io.BytesIO()
z = zipfile.ZipFile(buf, "w")
def link(name, target):
    i = zipfile.ZipInfo(name); i.create_system = 3; i.external_attr = (0o120777) << 16
    z.writestr(i, target)
def file(name, data, mode=0o644):
    i = zipfile.ZipInfo(name); i.create_system = 3; i.external_attr = (0o100000 | mode) << 16
    z.writestr(i, data)
${recipe}
z.close()
data = buf.getvalue()
sys.stdout.write(json.dumps({"kwargs": {"playbook": "test.yml"}}) + "\\n")
sys.stdout.write(json.dumps({"zipfile": len(data)}) + "\\n")
sys.stdout.write(base64.b64encode(data).decode())
sys.stdout.write(json.dumps({"eof": True}) + "\\n")
`;
  const out = await new Deno.Command("/usr/bin/python3", { args: ["-c", py], stdout: "piped" })
    .output();
  assert(out.success);
  return out.stdout;
}

const HOSTILE: [string, (outside: string) => string][] = [
  ["a '..' entry", (o) => `file("../${o.split("/").pop()}/evil", "x")`],
  ["an absolute entry", (o) => `file("${o}/evil", "x")`],
  [
    "a symlink out, then a file through it",
    (o) => `link("project/out", "${o}")\nfile("project/out/evil", "x")`,
  ],
  ["a relative symlink that climbs out", (_o) => `link("project/up", "../../../../../../../tmp")`],
  [
    "a file through a symlink already made",
    (o) => `link("esc", "${o}")\nfile("esc/existing", "overwritten")`,
  ],
];

for (const [what, recipe] of HOSTILE) {
  Deno.test(`worker: refuses ${what}; nothing outside is touched`, async () => {
    const outside = await Deno.makeTempDir({ prefix: "runner_outside_" });
    const existing = join(outside, "existing");
    await Deno.writeTextFile(existing, "original");
    await Deno.chmod(existing, 0o640);
    await Deno.utime(existing, 1_500_000_000, 1_500_000_000);
    const before = await Deno.stat(existing);
    const pdd = await Deno.makeTempDir({ prefix: "runner_wpdd_" });
    try {
      const r = await pipeline(
        [[...OURS, "worker", "--private-data-dir", pdd]],
        await hostileStream(recipe(outside)),
      );
      assertEquals(r.codes[0], 1, r.stderr.join(""));
      const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
      assertEquals(lines.at(-1), { eof: true });
      assertEquals(lines[0].status, "error");
      // Names with '..' or a leading '/' are already refused by the zip reader itself.
      assert(
        /refusing zip entry|invalid relative path|absolute path/.test(lines[0].job_explanation),
        lines[0].job_explanation,
      );
      assertEquals([...Deno.readDirSync(outside)].map((e) => e.name), ["existing"]);
      const after = await Deno.stat(existing);
      assertEquals(await Deno.readTextFile(existing), "original");
      assertEquals([after.mode, after.mtime?.getTime()], [before.mode, before.mtime?.getTime()]);
      assert(
        !(await exists(join(pdd, "artifacts"))),
        "nothing ran",
      );
    } finally {
      await cleanup(outside);
      await cleanup(pdd);
    }
  });
}

/** A broken transmit stream, and what the worker's error status says of it. */
const BROKEN: [string, string, string][] = [
  [
    "bad JSON",
    '{"kwargs": {"playbook": "test.yml"}}\nnot json at all\n',
    'not a JSON line: "not json',
  ],
  [
    "a zip size that lies (too big)",
    '{"kwargs": {}}\n{"zipfile": 100000}\nUEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==',
    "the stream ended inside the zip payload: 32 of the 133336 base64 characters of a " +
    "100000-byte zip arrived",
  ],
  ["bad base64", '{"kwargs": {}}\n{"zipfile": 6}\n!!!!@@@@{"eof": true}\n', "invalid base64"],
  [
    "a zip that is not a zip",
    '{"kwargs": {}}\n{"zipfile": 6}\nbm90emlw{"eof": true}\n',
    "too short to be a zip file",
  ],
  [
    "a truncated stream",
    '{"kwargs": {"playbook": "test.yml"}}\n',
    "the transmit stream ended before eof",
  ],
  ["an empty stream", "", "the transmit stream ended before eof"],
];

for (const [what, stream, why] of BROKEN) {
  Deno.test(`worker: ${what} gives an error status and eof, never a hang`, async () => {
    const pdd = await Deno.makeTempDir();
    try {
      const t0 = performance.now();
      const r = await pipeline(
        [[...OURS, "worker", "--private-data-dir", pdd]],
        new TextEncoder().encode(stream),
      );
      assert(performance.now() - t0 < 10_000);
      assertEquals(r.codes[0], 1);
      const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
      const said = lines[0].job_explanation;
      assertEquals(lines, [{ status: "error", job_explanation: said, result_traceback: said }, {
        eof: true,
      }]);
      assertIncludes(lines[0].job_explanation, `Failed to read the transmit stream: `);
      assertIncludes(lines[0].job_explanation, why);
    } finally {
      await cleanup(pdd);
    }
  });
}

Deno.test("transmit: a reader that goes away early gets one line of error, exit 1", async () => {
  const pdd = await makePdd({ "inventory/hosts": LOCAL_INVENTORY, "project/test.yml": PLAY });
  try {
    // 4 MiB that do not compress: far more than a pipe holds, so transmit is still writing
    // when the reader closes its end.
    const noise = new Uint8Array(4 << 20);
    for (let o = 0; o < noise.length; o += 65536) {
      crypto.getRandomValues(noise.subarray(o, o + 65536));
    }
    await Deno.writeFile(join(pdd, "project", "noise.bin"), noise);
    const child = spawnRunner(["transmit", pdd, "-p", "test.yml"]);
    const reader = child.stdout.getReader();
    await reader.read();
    await reader.cancel();
    const [status, stderr] = await Promise.all([
      child.status,
      new Response(child.stderr).text(),
    ]);
    assertEquals(status.code, 1, stderr);
    assertEquals(
      stderr.trim(),
      "runner: error: the output was closed before everything was written",
    );
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("worker: a reader gone while the job is quiet: the keepalive notices, the job goes", async () => {
  const tag = `${800 + Math.floor(Math.random() * 99)}.5`; // an argument no other test uses
  const pdd = await jobPdd(`- hosts: all
  gather_facts: false
  tasks:
    - ansible.builtin.shell: "(sleep ${tag} &); sleep 30"
`);
  const node = await Deno.makeTempDir({ prefix: "runner_node_" });
  const alive = async () =>
    (await new Deno.Command("pgrep", { args: ["-f", `sleep ${tag}`], stdout: "null" }).output())
      .code === 0;
  try {
    const worker = await workerOn(pdd, {
      stderr: "piped",
      job: ["-p", "test.yml", "-i", "quiet"],
      args: ["--keepalive-seconds", "1", `--private-data-dir=${node}`],
    });
    // Read until the task runs (its background sleep has started by then), then go away.
    const reader = await waitForOutput(worker, '"runner_on_start"');
    await new Promise((r) => setTimeout(r, 500));
    assert(await alive(), "the job's background process runs");
    await reader.cancel();
    const t0 = performance.now();
    const [status, stderr] = await Promise.all([
      worker.status,
      new Response(worker.stderr).text(),
    ]);
    assert(performance.now() - t0 < 10_000, "noticed at the next keepalive, not the job's end");
    assertEquals(
      [status.code, stderr.trim()],
      [1, "runner: error: the output was closed before everything was written"],
    );
    assert(!(await alive()), "nothing of the job survives");
    assertEquals(await Deno.readTextFile(join(node, "artifacts/quiet/status")), "error");
  } finally {
    await new Deno.Command("pkill", { args: ["-f", `sleep ${tag}`] }).output();
    await cleanup(pdd);
    await cleanup(node);
  }
});

Deno.test("worker: a reader that goes away mid-job takes the job down, background included", async () => {
  const tag = `${900 + Math.floor(Math.random() * 99)}.5`; // an argument no other test uses
  const pdd = await makePdd({
    "inventory/hosts": LOCAL_INVENTORY,
    "project/test.yml": `- hosts: all
  gather_facts: false
  tasks:
    - ansible.builtin.shell: "nohup sleep ${tag} >/dev/null 2>&1 &"
    - ansible.builtin.debug: msg="{{ item }}"
      loop: "{{ range(300) | list }}"
    - ansible.builtin.command: sleep 30
`,
  });
  const alive = async () =>
    (await new Deno.Command("pgrep", { args: ["-f", `sleep ${tag}`], stdout: "null" }).output())
      .code === 0;
  try {
    const worker = await workerOn(pdd, { stderr: "piped" });
    // Read until the loop's events flow (the background sleep is running by then), then go.
    const reader = await waitForOutput(worker, '"runner_item_on_ok"');
    assert(await alive(), "the job's background process runs");
    await reader.cancel();
    const [status, stderr] = await Promise.all([
      worker.status,
      new Response(worker.stderr).text(),
    ]);
    assertEquals(status.code, 1, stderr);
    assertIncludes(stderr, "the output was closed before everything was written");
    assert(!(await alive()), "nothing of the job survives");
  } finally {
    await new Deno.Command("pkill", { args: ["-f", `sleep ${tag}`] }).output();
    await cleanup(pdd);
  }
});

Deno.test("process: a malformed line is an error quoting it, exit non-zero", async () => {
  const ctl = await Deno.makeTempDir();
  try {
    const garbage = '{"status": "starting", "runner_ident": "x"}\n' +
      "this is not json ".repeat(40) + "\n";
    const r = await pipeline([[...OURS, "process", ctl]], new TextEncoder().encode(garbage));
    assertEquals(r.codes[0], 1);
    assertIncludes(r.stderr[0], 'not a JSON line: "this is not json');
    assert(r.stderr[0].length < 400, "the quote is truncated");
    assertEquals(await Deno.readTextFile(join(ctl, "artifacts", "status")), "error");
    const evil = '{"uuid": "../../escape", "counter": 1, "event": "verbose", "stdout": "x"}\n';
    const e = await pipeline([[...OURS, "process", ctl]], new TextEncoder().encode(evil));
    assertEquals(e.codes[0], 1);
    assertIncludes(e.stderr[0], "event without a valid uuid");
  } finally {
    await cleanup(ctl);
  }
});

Deno.test("worker: keepalives towards ansible-runner 2.4's process, which skips them", async () => {
  if (!NEWER) throw new Error(`no ansible-runner 2.4 in ${NEWER_ANSIBLE_DIR}`);
  const pdd = await jobPdd(
    "- hosts: all\n  gather_facts: false\n  tasks:\n    - ansible.builtin.command: sleep 3\n",
  );
  const ctl = await Deno.makeTempDir({ prefix: "runner_ctl_" });
  try {
    const r = await pipeline([
      [...OURS, "transmit", pdd, "-p", "test.yml", "-i", "ka"],
      [...OURS, "worker", "--keepalive-seconds", "1"],
      ["tee", join(ctl, "stream")],
      [...PY24, "process", ctl, "-i", "ka"],
    ]);
    assertEquals(r.codes, [0, 0, 0, 0], r.stderr.join(""));
    assertIncludes(await Deno.readTextFile(join(ctl, "stream")), '{"event":"keepalive"}');
    assertEquals(await Deno.readTextFile(join(ctl, "artifacts/ka/status")), "successful");
    const events = await readEvents(join(ctl, "artifacts/ka"));
    assertEquals(events.map((e) => e.counter), events.map((_, i) => i + 1));
  } finally {
    await cleanup(pdd);
    await cleanup(ctl);
  }
});

Deno.test("worker: keepalives arrive between lines while the job is quiet, none after eof", async () => {
  const pdd = await jobPdd(
    "- hosts: all\n  gather_facts: false\n  tasks:\n    - ansible.builtin.command: sleep 3\n",
  );
  try {
    const r = await pipeline([
      [...OURS, "transmit", pdd, "-p", "test.yml"],
      [...OURS, "worker", "--keepalive-seconds", "1"],
    ]);
    assertEquals(r.codes, [0, 0], r.stderr.join(""));
    const text = r.stdout;
    const eofAt = text.lastIndexOf('{"eof":true}');
    assert(eofAt > 0 && text.slice(eofAt).trim() === '{"eof":true}', "eof is last");
    const lines = text.slice(0, text.lastIndexOf('{"zipfile"')).trim().split("\n");
    const keepalives = lines.filter((l) => l === '{"event":"keepalive"}').length;
    assert(keepalives >= 1, `keepalives: ${keepalives}`);
    for (const l of lines) JSON.parse(l); // every line whole
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("worker: SIGINT cancels, and status, artifacts and eof follow within seconds", async () => {
  const pdd = await jobPdd(
    "- hosts: all\n  gather_facts: false\n  tasks:\n    - ansible.builtin.command: sleep 120\n",
  );
  try {
    const worker = await workerOn(pdd);
    const reader = worker.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    while (!seen.includes("TASK [ansible.builtin.command]")) {
      seen += (await reader.read()).value ?? "";
    }
    await new Promise((r) => setTimeout(r, 300));
    const t0 = performance.now();
    worker.kill("SIGINT");
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += value;
    }
    const status = await worker.status;
    assert(performance.now() - t0 < 5000, "well within Receptor's 10 s");
    assertEquals(status.code, 254);
    assertIncludes(seen, '"status":"canceled"');
    assertIncludes(seen, '{"zipfile":');
    assert(seen.trimEnd().endsWith('{"eof":true}'));
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("worker: SIGINT while the job is still arriving: canceled at once, nothing run", async () => {
  const pdd = await jobPdd();
  const ctl = await Deno.makeTempDir({ prefix: "runner_ctl_" });
  try {
    // Half the stream, and the link stalls (the writer stays open).
    const worker = await workerOn(pdd, { stderr: "piped", stall: true });
    const w = worker.input;
    await new Promise((r) => setTimeout(r, 1500));
    const t0 = performance.now();
    worker.kill("SIGINT");
    // Should it wait for the rest, the stream ends (cut short) after 5 s: no test that hangs.
    const cut = setTimeout(() => w.close().catch(() => {}), 5000);
    const [status, out, err] = await Promise.all([
      worker.status,
      new Response(worker.stdout).text(),
      new Response(worker.stderr).text(),
    ]);
    clearTimeout(cut);
    assert(performance.now() - t0 < 3000, `it waited for the stream: ${performance.now() - t0}`);
    await w.close().catch(() => {});
    assertEquals(status.code, 254, err);
    assertEquals(out.trimEnd().split("\n").map((l) => JSON.parse(l).status ?? l), [
      "canceled",
      '{"eof":true}',
    ]);
    assert(!out.includes('"starting"'), "no job started");
    // The controller records it as canceled, rc 254.
    const p = new Deno.Command(OURS[0], {
      args: [...OURS.slice(1), "process", ctl, "-i", "c"],
      stdin: "piped",
      stdout: "null",
    }).spawn();
    const pw = p.stdin.getWriter();
    await pw.write(new TextEncoder().encode(out));
    await pw.close();
    assertEquals((await p.status).code, 254);
    assertEquals(await Deno.readTextFile(join(ctl, "artifacts/c/status")), "canceled");
    assertEquals(await Deno.readTextFile(join(ctl, "artifacts/c/rc")), "254");
  } finally {
    await cleanup(pdd);
    await cleanup(ctl);
  }
});

Deno.test("worker: --delete empties --private-data-dir before and removes it after", async () => {
  const pdd = await jobPdd();
  const dest = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dest, "stale-file"), "old");
    const r = await pipeline([
      [...OURS, "transmit", pdd, "-p", "test.yml"],
      [...OURS, "worker", "--private-data-dir", dest, "--delete"],
    ]);
    assertEquals(r.codes, [0, 0]);
    assert(!(await exists(dest)), "removed after");
  } finally {
    await cleanup(pdd);
    await cleanup(dest);
  }
});

const ROLE_TRANSMITS: [string, string[], string[], string[]][] = [
  ["runner runs on a runner", OURS, OURS, []],
  ["runner runs on a python", OURS, PY, []],
  // ansible-runner 2.3.1's transmit sends the role as a generated playbook, --hosts beside it,
  // and finds no role without --roles-path (its own worker fails the same way).
  ["ansible-runner runs on a runner", PY, OURS, ["--roles-path", "roles"]],
];
for (const [name, tx, wk, extra] of ROLE_TRANSMITS) {
  Deno.test(`streaming: a role transmitted by ${name} worker`, async () => {
    const pdd = await makePdd({
      "inventory/hosts": LOCAL_INVENTORY,
      "roles/greet/tasks/main.yml":
        '- ansible.builtin.debug:\n    msg: "{{ who }} from a transmitted role"\n',
    });
    const ctl = await Deno.makeTempDir();
    try {
      const r = await pipeline([
        [
          ...tx,
          "transmit",
          pdd,
          "-r",
          "greet",
          "--role-vars",
          "who=someone",
          "--role-skip-facts",
          "--hosts",
          "all",
          ...extra,
        ],
        [...wk, "worker"],
        [...OURS, "process", ctl],
      ]);
      assertEquals(r.codes, [0, 0, 0], r.stderr.join("\n"));
      assertIncludes(r.stdout, "someone from a transmitted role");
      assert(
        !(await exists(join(pdd, "project"))),
        "pdd untouched",
      );
    } finally {
      await cleanup(pdd);
      await cleanup(ctl);
    }
  });
}

Deno.test("process: from one worker stream, the same artifacts byte for byte as ansible-runner's process", async () => {
  // Text beyond ASCII and control characters in events and stdout.
  const pdd = await jobPdd(`- hosts: all
  gather_facts: false
  tasks:
    - ansible.builtin.debug: msg="héllo 日本語 🎉 {{ lookup('env', 'STREAM_VAR') }}"
    - ansible.builtin.command: printf 'a\\tb\\x01c'
      changed_when: false
`);
  const ours = await Deno.makeTempDir({ prefix: "runner_ctl_" });
  const theirs = await Deno.makeTempDir({ prefix: "runner_ctl_" });
  try {
    const stream = await pipeline([[...PY, "transmit", pdd, "-p", "test.yml", "-i", "same"], [
      ...PY,
      "worker",
    ]]);
    assertEquals(stream.codes, [0, 0], stream.stderr.join("\n"));
    const input = new TextEncoder().encode(stream.stdout);
    const a = await pipeline([[...PY, "process", theirs, "-i", "same"]], input);
    const b = await pipeline([[...OURS, "process", ours, "-i", "same"]], input);
    assertEquals([a.codes, b.codes], [[0], [0]], a.stderr.join("\n") + b.stderr.join("\n"));
    const files = async (root: string) => {
      const dir = join(root, "artifacts", "same");
      const out = new Map<string, string>();
      for (const f of await walkFiles(dir)) {
        out.set(f.slice(dir.length), await Deno.readTextFile(f));
      }
      return out;
    };
    const [theirFiles, ourFiles] = [await files(theirs), await files(ours)];
    assertEquals([...ourFiles.keys()].sort(), [...theirFiles.keys()].sort());
    assert([...theirFiles.keys()].filter((k) => k.startsWith("/job_events/")).length >= 8);
    for (const [name, text] of theirFiles) assertEquals(ourFiles.get(name), text, name);
  } finally {
    await cleanup(pdd);
    await cleanup(ours);
    await cleanup(theirs);
  }
});

for (const version of ["2.3", "2.4"]) {
  Deno.test(`streaming: ansible-runner ${version}'s API parameters reach ansible-playbook on runner's worker`, async () => {
    if (version === "2.4" && !NEWER) {
      throw new Error(`no ansible-runner 2.4 in ${NEWER_ANSIBLE_DIR}`);
    }
    const python = version === "2.4"
      ? ["env", `PYTHONPATH=${NEWER!.env.PYTHONPATH}`, "/usr/bin/python3"]
      : ["/usr/bin/python3"];
    const pdd = await jobPdd(`- hosts: all
  gather_facts: false
  tasks:
    - ansible.builtin.debug: msg="tagged one"
      tags: [one]
    - ansible.builtin.debug: msg="tagged two"
      tags: [two]
    - ansible.builtin.debug: msg="tagged both"
      tags: [one, two]
`);
    const ctl = await Deno.makeTempDir({ prefix: "runner_ctl_" });
    try {
      const api =
        `import sys, ansible_runner; ansible_runner.run(private_data_dir=${
          JSON.stringify(pdd)
        }, playbook="test.yml", ident="api", streamer="transmit", _output=sys.stdout.buffer, ` +
        `tags="one", skip_tags="two", forks=2, suppress_ansible_output=True)`;
      const r = await pipeline([
        [...python, "-c", api],
        [...OURS, "worker", "--debug"],
        [...OURS, "process", ctl, "-i", "api"],
      ]);
      assertEquals(r.codes, [0, 0, 0], r.stderr.join("\n"));
      assertIncludes(r.stdout, "tagged one");
      assert(!r.stdout.includes("tagged two") && !r.stdout.includes("tagged both"), r.stdout);
      const command = JSON.parse(await Deno.readTextFile(join(ctl, "artifacts/api/command")));
      assertIncludes(command.command.join(" "), "--tags one --skip-tags two --forks 2");
      assert(!r.stderr[1].includes("unknown key"), r.stderr[1]);
    } finally {
      await cleanup(pdd);
      await cleanup(ctl);
    }
  });
}

Deno.test("streaming: a job as AWX sends it (a numeric ident, its settings) runs on runner's worker", async () => {
  // AWX passes its job's database id as `ident` and the fact cache switch as a kwarg.
  const pdd = await jobPdd();
  const ctl = await Deno.makeTempDir({ prefix: "runner_ctl_" });
  try {
    const api =
      `import sys, ansible_runner; ansible_runner.interface.run(private_data_dir=${
        JSON.stringify(pdd)
      }, playbook="test.yml", ident=4021, passwords={}, envvars={"JOB_ID": "4021"}, ` +
      `settings={"job_timeout": 0, "suppress_ansible_output": True, ` +
      `"suppress_output_file": True}, fact_cache_type="", streamer="transmit", ` +
      `_output=sys.stdout.buffer)`;
    const r = await pipeline([
      ["/usr/bin/python3", "-c", api],
      [...OURS, "worker"],
      [...PY, "process", ctl, "-i", "4021"],
    ]);
    assertEquals(r.codes, [0, 0, 0], r.stderr.join("\n"));
    assertIncludes(r.stdout, "streamed");
    const dir = join(ctl, "artifacts/4021");
    assertEquals(await Deno.readTextFile(join(dir, "status")), "successful");
    const command = JSON.parse(await Deno.readTextFile(join(dir, "command")));
    assertEquals(command.env.JOB_ID, "4021");
    assert(!("ANSIBLE_CACHE_PLUGIN" in command.env), "fact_cache_type '' turns the cache off");
  } finally {
    await cleanup(pdd);
    await cleanup(ctl);
  }
});
