/** End-to-end: every kind of env/ input, good and bad; inventory forms; named pipes. */
import { join } from "node:path";
import { assert, assertEquals, assertIncludes } from "../src/testing/assert.ts";
import {
  artifact,
  cleanup,
  exists,
  LOCAL_INVENTORY,
  makePdd,
  playbookPdd,
  runner,
} from "./helpers.ts";

const PLAY =
  "- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: msg={{ greeting | default('none') }}-{{ lookup('env', 'MY_VAR') }}\n";

const BAD: [string, string, RegExp][] = [
  ["env/envvars", "- not\n- a mapping\n", /env\/envvars: must be a mapping, got a list/],
  [
    "env/envvars",
    "NESTED: {a: 1}\n",
    /env\/envvars: key 'NESTED': expected a string or number, got a mapping/,
  ],
  ["env/extravars", "greeting: [unclosed\n", /env\/extravars: not valid YAML or JSON/],
  [
    "env/passwords",
    '"(unclosed": x\n',
    /env\/passwords: key '\(unclosed': not a valid regular expression/,
  ],
  ["env/cmdline", "--tags 'unterminated\n", /env\/cmdline: No closing quotation/],
  ["env/ssh_key", "just some text\n", /env\/ssh_key: does not hold a PEM or OpenSSH private key/],
  [
    "env/settings",
    "idle_timeout: soon\n",
    /env\/settings: key 'idle_timeout': expected a non-negative number of seconds, got string "soon"/,
  ],
  ["env/settings", "job_timeout: [1]\n", /env\/settings: key 'job_timeout'.*got a list/],
  ["env/settings", "{bad json", /env\/settings: not valid YAML or JSON/],
  [
    "env/envvars",
    "DAY: 2024-02-30\n",
    /env\/envvars: not valid YAML or JSON: timestamp 2024-02-30: day is out of range for month at line 1, column 6$/m,
  ],
  [
    "env/settings",
    "fact_cache: 2024-01-01\n",
    /env\/settings: key 'fact_cache': expected a string, got a timestamp 2024-01-01/,
  ],
  [
    "env/envvars",
    "A: !unsafe x\n",
    /env\/envvars: not valid YAML or JSON: unknown tag !unsafe at line 1, column 4/,
  ],
];

for (const [file, content, message] of BAD) {
  Deno.test(`input: bad ${file} (${content.trim().slice(0, 24)}) is a clear error, nothing written`, async () => {
    const pdd = await playbookPdd(PLAY, { [file]: content });
    try {
      const r = await runner(["run", pdd, "-p", "test.yml", "-i", "bad"]);
      assertEquals(r.code, 1);
      assert(message.test(r.stderr), `stderr: ${r.stderr}`);
      assertEquals(r.stdout, "");
      assert(
        !(await exists(join(pdd, "artifacts"))),
        "no artifacts",
      );
    } finally {
      await cleanup(pdd);
    }
  });
}

Deno.test("input: missing playbook, missing private data dir, no forks, a negative rotation are clear errors", async () => {
  const pdd = await playbookPdd(PLAY);
  try {
    const r = await runner(["run", pdd, "-p", "nope.yml"]);
    assertEquals(r.code, 1);
    assertIncludes(r.stderr, `playbook ${join(pdd, "project", "nope.yml")} does not exist`);
    const m = await runner(["run", join(pdd, "missing"), "-p", "test.yml"]);
    assertEquals(m.code, 1);
    assertIncludes(m.stderr, "does not exist or is not a directory");
    const none = await runner(["run", pdd]);
    assertEquals(none.code, 1);
    assertIncludes(none.stderr, "nothing to run");
    // -p, -m and -r exclude one another on the command line, as in ansible-runner (usage
    // error).
    const two = await runner(["run", pdd, "-p", "test.yml", "-m", "ping", "--hosts", "all"]);
    assertEquals(two.code, 2);
    assertIncludes(two.stderr, "argument -m/--module: not allowed with argument -p/--playbook");
    // Ansible refuses fewer than one fork only after the job started (ansible-runner: rc 2).
    const forks = await runner(["run", pdd, "-p", "test.yml", "--forks", "0"]);
    assertEquals([forks.code, forks.stderr.trim()], [
      1,
      "runner: error: --forks: must be a whole number, 1 or more; got 0",
    ]);
    // ansible-runner keeps every dir when the count is negative: more likely a slip than meant.
    const rotate = await runner(["run", pdd, "-p", "test.yml", "--rotate-artifacts", "-1"]);
    assertEquals([rotate.code, rotate.stderr.trim()], [
      1,
      "runner: error: --rotate-artifacts: must be a whole number, 0 (keep all) or more; got -1",
    ]);
    // An ident is the artifact dir's name: one that climbs out of artifacts/ or names a subdir
    // is refused before anything is written.
    for (const ident of ["../../escape", "a/b", ".."]) {
      const bad = await runner(["run", pdd, "-p", "test.yml", "-i", ident]);
      assertEquals([bad.code, bad.stderr.trim()], [
        1,
        `runner: error: --ident: '${ident}' cannot name a directory ` +
        "(use letters, digits, . _ - @ : + and inner spaces)",
      ]);
    }
    assert(!(await exists(join(pdd, "..", "escape"))));
    assert(!(await exists(join(pdd, "artifacts"))));
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("input: unknown settings keys are warned about, the job still runs", async () => {
  const pdd = await playbookPdd(PLAY, {
    "env/settings": "frobnicate: 1\nsuppress_ansi_output: true\n",
  });
  try {
    const r = await runner(["run", pdd, "-p", "test.yml", "-i", "w"]);
    assertEquals(r.code, 0);
    assertIncludes(r.stderr, "unknown setting 'frobnicate' ignored");
    assert(!r.stdout.includes("\x1b["), "suppress_ansi_output strips colour on the console");
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("input: --hosts beside -p is refused by run, start and transmit (ansible-runner's CLI does too)", async () => {
  const pdd = await playbookPdd(PLAY);
  try {
    const refusal = "runner: error: --hosts applies only to -m/--module and -r/--role; " +
      "with a playbook, use --limit";
    for (const command of ["run", "start", "transmit"]) {
      const r = await runner([command, pdd, "-p", "test.yml", "-i", "h", "--hosts", "nowhere"]);
      assertEquals([r.code, r.stderr.trim(), r.stdout], [1, refusal, ""], command);
    }
    assert(!(await exists(join(pdd, "artifacts"))), "nothing ran");
    // With a module, or RUNNER_MODULE's default, it is the module's host pattern.
    const ad = await runner(["run", pdd, "-i", "m", "--hosts", "localhost"], {
      env: { RUNNER_MODULE: "ping" },
    });
    assertEquals(ad.code, 0, ad.stderr);
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("input: AWX's extravars (values tagged !unsafe) reach Ansible unrendered, no warning", async () => {
  const pdd = await playbookPdd(
    '- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: msg="{{ awx_user_name }} {{ tricky }}"\n',
    {
      "env/extravars": "awx_job_id: 42\nawx_user_name: !unsafe 'admin'\n" +
        "tricky: !unsafe '{{ 6 * 7 }}'\n",
    },
  );
  try {
    const r = await runner(["run", pdd, "-p", "test.yml", "-i", "u"]);
    assertEquals(r.code, 0, r.stdout + r.stderr);
    assertIncludes(r.stdout, "admin {{ 6 * 7 }}");
    assertEquals(r.stderr, "", "nothing on stderr");
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("input: an env/ file that is not UTF-8 is a clear error naming its line, nothing written", async () => {
  for (const name of ["envvars", "cmdline", "settings"]) {
    const pdd = await playbookPdd(PLAY, {});
    try {
      await Deno.mkdir(join(pdd, "env"), { recursive: true });
      // "A: ok" then "B: café" in Latin-1.
      await Deno.writeFile(
        join(pdd, "env", name),
        new Uint8Array([...new TextEncoder().encode("A: ok\nB: caf"), 0xe9, 10]),
      );
      const r = await runner(["run", pdd, "-p", "test.yml", "-i", "bad"]);
      assertEquals(r.code, 1, name);
      assertIncludes(r.stderr, `runner: error: env/${name}: is not UTF-8 text (line 2)`);
      assert(!(await exists(join(pdd, "artifacts"))), "no artifacts");
    } finally {
      await cleanup(pdd);
    }
  }
});

Deno.test("input: envvars floats, dates and times reach the job as ansible-runner's str() of them", async () => {
  const pdd = await makePdd({
    "env/envvars": "DAY: 2024-01-01\nAT: 2001-12-14t21:59:43.10-05:00\nUTC: 2024-1-1 1:02:03Z\n" +
      "NOT_A_DATE: 2024-1-1\nVERSION: 1.0\nTINY: 0.00001\nZIP: 09\nBIG: 12345678901234567890\n",
  });
  try {
    const r = await runner(["run", pdd, "-b", "env", "-i", "dates"]);
    assertEquals(r.code, 0, r.stderr);
    const env = new Set(r.stdout.split(/\r?\n/));
    for (
      const line of [
        "DAY=2024-01-01",
        "AT=2001-12-14 21:59:43.100000-05:00",
        "UTC=2024-01-01 01:02:03+00:00",
        "NOT_A_DATE=2024-1-1",
        "VERSION=1.0",
        "TINY=1e-05",
        "ZIP=09",
        "BIG=12345678901234567890",
      ]
    ) assert(env.has(line), `${line} in ${r.stdout}`);
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("input: envvars, extravars, cmdline and settings may all be named pipes", async () => {
  const pdd = await playbookPdd(PLAY);
  const writers: Promise<void>[] = [];
  const fifo = async (name: string, text: string) => {
    const path = join(pdd, "env", name);
    await Deno.mkdir(join(pdd, "env"), { recursive: true });
    const mk = await new Deno.Command("mkfifo", { args: ["-m", "600", path] }).output();
    assert(mk.success);
    writers.push((async () => {
      const f = await Deno.open(path, { write: true });
      await f.write(new TextEncoder().encode(text));
      f.close();
    })());
  };
  try {
    await fifo("envvars", "MY_VAR: from-pipe\n");
    await fifo("extravars", "greeting: piped\n");
    await fifo("cmdline", "--forks 3\n");
    await fifo("settings", "job_timeout: 60\n");
    const r = await runner(["run", pdd, "-p", "test.yml", "-i", "fifo"]);
    await Promise.all(writers);
    assertEquals(r.code, 0, r.stderr);
    assertIncludes(r.stdout, "piped-from-pipe");
    const cmd = JSON.parse(await artifact(pdd, "fifo", "command")).command as string[];
    assertEquals(cmd.slice(0, 3), ["ansible-playbook", "--forks", "3"]);
    const copy = join(pdd, "artifacts", "fifo", "extravars");
    assert(cmd.includes(`@${copy}`));
    assertEquals((await Deno.stat(copy)).mode! & 0o777, 0o600);
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("input: an artifact dir, log file or process dir that cannot be made: one line, exit 1", async () => {
  const pdd = await playbookPdd(PLAY, { artifacts: "a file where the dir should be\n" });
  try {
    const r = await runner(["run", pdd, "-p", "test.yml", "-i", "x"]);
    assertEquals(r.code, 1);
    assertEquals(
      r.stderr.trim(),
      `runner: error: cannot create the artifact dir ${join(pdd, "artifacts", "x")}: File exists`,
    );
    const w = await runner(["run", pdd, "-p", "test.yml", "--artifact-dir", "/proc/no/such"]);
    assertEquals(w.code, 1);
    assertIncludes(w.stderr, "cannot create the artifact dir /proc/no/such/");
    // Other paths of the command line that cannot be made or opened: one line naming them.
    const log = await runner(["run", pdd, "-p", "test.yml", "--logfile", "/proc/no/log"]);
    assertEquals([log.code, log.stderr.trim()], [
      1,
      "runner: error: open '/proc/no/log': No such file or directory",
    ]);
    const proc = await runner(["process", "/proc/no/dir"]);
    assertEquals([proc.code, proc.stderr.trim()], [
      1,
      "runner: error: mkdir '/proc/no/dir/artifacts': No such file or directory",
    ]);
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("input: a container engine without an image is refused before anything runs", async () => {
  // As ansible-runner 2.4 (2.3 pulled its development image unasked).
  const pdd = await playbookPdd(PLAY, { "env/settings": "container_image: ''\n" });
  try {
    for (const engine of ["podman", "docker"]) {
      const r = await runner([
        "run",
        pdd,
        "-p",
        "test.yml",
        "--process-isolation",
        "--process-isolation-executable",
        engine,
      ]);
      assertEquals([r.code, r.stderr.trim()], [
        1,
        `runner: error: process_isolation_executable ${engine} needs a container image: give ` +
        "--container-image or the setting container_image in env/settings",
      ]);
    }
    assert(!(await exists(join(pdd, "artifacts"))));
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("input: a base dir for isolation that does not exist is refused, not made", async () => {
  const pdd = await playbookPdd(PLAY);
  const missing = join(pdd, "no", "such", "base");
  try {
    for (const flag of ["--directory-isolation-base-path", "--process-isolation-path"]) {
      const extra = flag === "--process-isolation-path" ? ["--process-isolation"] : [];
      const r = await runner(["run", pdd, "-p", "test.yml", ...extra, flag, missing]);
      assertEquals([r.code, r.stderr.trim()], [
        1,
        `runner: error: ${flag}: ${missing} is not an existing directory`,
      ]);
    }
    assert(!(await exists(join(pdd, "no"))), "nothing made");
    assert(!(await exists(join(pdd, "artifacts"))), "nothing written");
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("input: /, /home and /usr are not given to a container, by flag or setting", async () => {
  // As ansible-runner refuses them; checked before anything runs.
  const pdd = await playbookPdd(PLAY, {
    "env/settings": "container_volume_mounts: ['/tmp:/t', '/usr/./:/u:ro']\n",
  });
  try {
    const podman = [
      "--process-isolation",
      "--process-isolation-executable",
      "podman",
      "--container-image",
      "localhost/none",
    ];
    const setting = await runner(["run", pdd, "-p", "test.yml", ...podman]);
    assertEquals([setting.code, setting.stderr.trim()], [
      1,
      "runner: error: container_volume_mounts: the mount /usr/./: /, /home and /usr cannot be " +
      "given to a container",
    ]);
    const flag = await runner([
      "run",
      pdd,
      "-p",
      "test.yml",
      ...podman,
      "--container-volume-mount",
      "/:/host",
    ]);
    assertEquals([flag.code, flag.stderr.trim()], [
      1,
      "runner: error: --container-volume-mount: the mount /: /, /home and /usr cannot be given " +
      "to a container",
    ]);
    assert(!(await exists(join(pdd, "artifacts"))));
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("input: an --inventory that names nothing is refused by run, start and transmit", async () => {
  // As ansible-runner 2.4: Ansible would warn, match no host and succeed.
  const pdd = await playbookPdd(PLAY);
  try {
    for (const command of ["run", "start", "transmit"]) {
      const r = await runner([command, pdd, "-p", "test.yml", "--inventory", "prod_hsots"]);
      assertEquals([r.code, r.stdout, r.stderr.trim()], [
        1,
        "",
        `runner: error: --inventory: 'prod_hsots' is not a file or dir (here or under ` +
        `${join(pdd, "inventory")}), nor a host list (web1,web2,)`,
      ]);
    }
    assert(!(await exists(join(pdd, "artifacts"))));
    // Without the private data dir, that is what is said, not the inventory.
    const gone = await runner(["run", join(pdd, "gone"), "-p", "test.yml", "--inventory", "x"]);
    assertEquals([gone.code, gone.stderr.trim()], [
      1,
      `runner: error: private data dir ${join(pdd, "gone")} does not exist or is not a directory`,
    ]);
    // A host list goes to Ansible as it is.
    const list = await runner([
      "run",
      pdd,
      "-p",
      "test.yml",
      "--inventory",
      "localhost,",
      "-i",
      "l",
    ]);
    assertEquals(JSON.parse(await artifact(pdd, "l", "command")).command.slice(1, 3), [
      "-i",
      "localhost,",
    ]);
    assertEquals(list.code, 0, list.stdout);
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("input: inventory as a file, a directory, or an executable script", async () => {
  const script = `#!/bin/sh
if [ "$1" = "--list" ]; then
  echo '{"all": {"hosts": ["scripted"]}, "_meta": {"hostvars": {"scripted": {"ansible_connection": "local", "ansible_python_interpreter": "/usr/bin/python3"}}}}'
else echo '{}'; fi
`;
  const pdd = await makePdd({
    "project/test.yml":
      "- hosts: all\n  gather_facts: false\n  tasks: [{debug: {msg: '{{ inventory_hostname }}'}}]\n",
    "inventory/hosts": LOCAL_INVENTORY,
    "other/static.ini":
      "filehost ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n",
    "scripts/inv.sh": script,
  });
  try {
    await Deno.chmod(join(pdd, "scripts/inv.sh"), 0o755);
    const dir = await runner(["run", pdd, "-p", "test.yml", "-i", "d"]);
    assertIncludes(dir.stdout, "ok: [localhost]");
    const file = await runner([
      "run",
      pdd,
      "-p",
      "test.yml",
      "-i",
      "f",
      "--inventory",
      join(pdd, "other/static.ini"),
    ]);
    assertIncludes(file.stdout, "ok: [filehost]");
    const scr = await runner([
      "run",
      pdd,
      "-p",
      "test.yml",
      "-i",
      "s",
      "--inventory",
      join(pdd, "scripts/inv.sh"),
    ]);
    assertIncludes(scr.stdout, "ok: [scripted]");
    const rel = await runner(["run", pdd, "-p", "test.yml", "-i", "r", "--inventory", "hosts"]);
    assertEquals(
      JSON.parse(await artifact(pdd, "r", "command")).command[2],
      join(pdd, "inventory", "hosts"),
    );
    assertEquals(rel.code, 0);
  } finally {
    await cleanup(pdd);
  }
});
