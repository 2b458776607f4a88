/**
 * End-to-end: jobs in execution-environment containers with real podman (the local image
 * that .ci/build-ee-image.sh builds), docker's command line through a recording fake engine,
 * `worker cleanup` removing real images, and the reference image (container/Containerfile)
 * built with deno and the bundle in place of the compiled binary. One file, so the image
 * build never overlaps `image prune`.
 */
import { join } from "node:path";
import { assert, assertEquals, assertIncludes } from "../src/testing/assert.ts";
import { stripAnsi } from "../src/sinks/console.ts";
import { V8_FLAGS } from "../src/cli/self_exec.ts";
import {
  artifact,
  buildBundle,
  cleanup,
  exists,
  filesContaining,
  jobMarker,
  makePdd,
  makeSshKey,
  NEWER_ANSIBLE_DIR,
  newerAnsible,
  playbookPdd,
  processesWithEnv,
  readEvents,
  ROOT,
  runner,
  spawnRunner,
  waitForOutput,
} from "./helpers.ts";

const IMAGE = "localhost/runner-ee:test";
const ENV = { CONTAINERS_CONF: join(ROOT, ".ci/containers.conf") };
const EE = [
  "--process-isolation",
  "--process-isolation-executable",
  "podman",
  "--container-image",
  IMAGE,
];
const INVENTORY =
  "localhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n";

async function podman(...args: string[]): Promise<string> {
  const out = await new Deno.Command("podman", { args, env: ENV, stdout: "piped", stderr: "piped" })
    .output();
  return new TextDecoder().decode(out.stdout);
}

Deno.test("container: the demo in podman matches a run without a container", async () => {
  const copy = async () => {
    const dir = await Deno.makeTempDir();
    await new Deno.Command("cp", { args: ["-r", `${ROOT}/demo/.`, dir] }).output();
    await Deno.remove(join(dir, "artifacts"), { recursive: true }).catch(() => {});
    return dir;
  };
  const [plain, boxed] = [await copy(), await copy()];
  try {
    const a = await runner(["run", plain, "-p", "test.yml", "-i", "x", "-q"]);
    const b = await runner(["run", boxed, "-p", "test.yml", "-i", "x", ...EE], { env: ENV });
    assertEquals([b.code, a.code], [0, 0], b.stderr);
    assertIncludes(b.stdout, "hello from runner");
    assertEquals(await artifact(boxed, "x", "status"), "successful");
    const ea = await readEvents(join(plain, "artifacts", "x"));
    const eb = await readEvents(join(boxed, "artifacts", "x"));
    assertEquals(eb.map((e) => e.event), ea.map((e) => e.event));
    // The host run gets NO_COLOR from this test's environment; the container only env.list.
    assertEquals(eb.map((e) => stripAnsi(e.stdout)), ea.map((e) => stripAnsi(e.stdout)));
    // env.list: runner's own variables and env/envvars only; paths as the container sees them.
    const envList = await artifact(boxed, "x", "env.list");
    assertIncludes(envList, "ANSIBLE_CALLBACK_PLUGINS=/runner/artifacts/x/callback\n");
    assertIncludes(envList, "AWX_ISOLATED_DATA_DIR=/runner/artifacts/x\n");
    assertIncludes(envList, "ANSIBLE_NOCOLOR=false\n");
    assertIncludes(envList, "ANSIBLE_UNSAFE_WRITES=1\n");
    assert(!/^(HOME|PATH)=/m.test(envList), "no host environment");
  } finally {
    await cleanup(plain);
    await cleanup(boxed);
  }
});

const STUCK =
  "- hosts: all\n  gather_facts: false\n  tasks:\n    - shell: (sleep 309 &) ; sleep 310\n";

Deno.test("container: named ansible_runner_<ident>; a timeout leaves no container and no process", async () => {
  const pdd = await playbookPdd(STUCK, { "env/settings": "job_timeout: 4\n" });
  try {
    const child = spawnRunner(["run", pdd, "-p", "test.yml", "-i", "ct1", "-q", ...EE], ENV);
    let named = false;
    for (let i = 0; i < 60 && !named; i++) {
      named = (await podman("ps", "--format", "{{.Names}}")).split("\n").includes(
        "ansible_runner_ct1",
      );
      if (!named) await new Promise((r) => setTimeout(r, 100));
    }
    assert(named, "container ansible_runner_ct1 was running");
    assertEquals((await child.status).code, 254);
    await child.stdout.cancel();
    await child.stderr.cancel();
    assertEquals(await artifact(pdd, "ct1", "status"), "timeout");
    assert(!(await podman("ps", "-a", "--format", "{{.Names}}")).includes("ansible_runner_ct1"));
    assertEquals(processesWithEnv("RUNNER_JOB_MARKER", await jobMarker(pdd, "ct1")), []);
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("container: cancel leaves no container and no process", async () => {
  const pdd = await playbookPdd(STUCK);
  try {
    const child = spawnRunner(["run", pdd, "-p", "test.yml", "-i", "ct2", ...EE], ENV);
    const reader = await waitForOutput(child, "TASK [shell]");
    await new Promise((r) => setTimeout(r, 700));
    child.kill("SIGINT");
    assertEquals((await child.status).code, 254);
    await reader.cancel();
    await child.stderr.cancel();
    assertEquals(await artifact(pdd, "ct2", "status"), "canceled");
    assert(!(await podman("ps", "-a", "--format", "{{.Names}}")).includes("ansible_runner_ct2"));
    assertEquals(processesWithEnv("RUNNER_JOB_MARKER", await jobMarker(pdd, "ct2")), []);
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("container: env/ssh_key reaches an ssh-agent inside the container, never the disk", async () => {
  const key = await makeSshKey("ee-test-key");
  const pdd = await makePdd({ "env/ssh_key": key, "env/cmdline": "-l", "project/.keep": "" });
  try {
    const r = await runner(["run", pdd, "-b", "ssh-add", "-i", "k", ...EE], { env: ENV });
    assertEquals(r.code, 0, r.stdout + r.stderr);
    assertIncludes(r.stdout, "ee-test-key");
    const body = key.split("\n").filter((l) => l.length > 20)[1];
    assertEquals(await filesContaining(pdd, [body], "env/ssh_key"), [], "key material on disk");
    assert(
      !(await exists(join(pdd, "artifacts/k/ssh_key_data"))),
    );
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("container: docker's exact command line, through a recording fake engine", async () => {
  const bin = await Deno.makeTempDir();
  const record = join(bin, "argv.json");
  await Deno.writeTextFile(
    join(bin, "docker"),
    `#!/usr/bin/python3\nimport json, sys\njson.dump(sys.argv[1:], open(${
      JSON.stringify(record)
    }, "w"))\n`,
  );
  await Deno.chmod(join(bin, "docker"), 0o755);
  await Deno.mkdir(join(bin, "data"));
  const pdd = await playbookPdd("- hosts: all\n  tasks: []\n", { "env/extravars": "a: 1\n" });
  try {
    const r = await runner([
      "run",
      pdd,
      "-p",
      "test.yml",
      "-i",
      "d1",
      "--process-isolation",
      "--process-isolation-executable",
      "docker",
      "--container-image",
      "example/ee:1",
      "--container-volume-mount",
      // As ansible-runner takes them: variables expanded; one this node lacks left out.
      "$MOUNT_FROM/data:/data:ro",
      "--container-volume-mount",
      "/no/such/dir:/x",
      "--container-option=--network=host",
    ], { env: { PATH: `${bin}:/usr/bin:/bin`, MOUNT_FROM: bin } });
    assertEquals(r.code, 0, r.stderr);
    assertIncludes(
      r.stderr,
      "--container-volume-mount: /no/such/dir does not exist on this node: not mounted",
    );
    const argv = JSON.parse(await Deno.readTextFile(record));
    assertEquals(argv, [
      "run",
      "--rm",
      "--tty",
      "--interactive",
      "--workdir",
      "/runner/project",
      "-v",
      `${pdd}/:/runner/:Z`,
      "-v",
      `${bin}/data:/data:ro`,
      "--env-file",
      `${pdd}/artifacts/d1/env.list`,
      `--user=${Deno.uid()}`,
      "--name",
      "ansible_runner_d1",
      "--network=host",
      "example/ee:1",
      "ansible-playbook",
      "-i",
      "/runner/inventory",
      "-e",
      "@/runner/env/extravars",
      "test.yml",
    ]);
    const envList = await artifact(pdd, "d1", "env.list");
    assert(!envList.includes("ANSIBLE_UNSAFE_WRITES"));
    // The command artifact records the engine's command line, the container's working dir
    // and the environment the job has there (env.list's), as ansible-runner does.
    const shown = JSON.parse(await artifact(pdd, "d1", "command"));
    assertEquals(shown.command, ["docker", ...argv]);
    assertEquals(shown.cwd, "/runner/project");
    assertEquals(
      Object.entries(shown.env).map(([k, v]) => `${k}=${v}`).join("\n") + "\n",
      envList,
    );
    assertEquals(shown.env.ANSIBLE_CALLBACK_PLUGINS, "/runner/artifacts/d1/callback");
  } finally {
    await cleanup(pdd);
    await cleanup(bin);
  }
});

Deno.test("container: container_auth_data reaches the engine in a private file, never an artifact", async () => {
  const bin = await Deno.makeTempDir();
  const record = join(bin, "seen.json");
  // A fake engine that records its argv and the credential file it was pointed at.
  await Deno.writeTextFile(
    join(bin, "podman"),
    `#!/usr/bin/python3
import json, os, stat, sys
a = sys.argv[1:]
f = a[a.index("--authfile") + 1]
json.dump({"argv": a, "auth": open(f).read(), "mode": oct(stat.S_IMODE(os.stat(f).st_mode))}, open(${
      JSON.stringify(record)
    }, "w"))
`,
  );
  await Deno.chmod(join(bin, "podman"), 0o755);
  const secret = "s3cret-registry-pw";
  const pdd = await playbookPdd("- hosts: all\n  tasks: []\n", {
    "env/settings":
      `container_auth_data: {host: "reg.example:5000", username: bot, password: ${secret}, verify_ssl: false}\n`,
  });
  try {
    const r = await runner(
      ["run", pdd, "-p", "test.yml", "-i", "au", ...EE],
      { env: { PATH: `${bin}:/usr/bin:/bin` } },
    );
    assertEquals(r.code, 0, r.stderr);
    const seen = JSON.parse(await Deno.readTextFile(record));
    assertEquals(seen.mode, "0o600");
    const token = new TextEncoder().encode(`bot:${secret}`).toBase64();
    assertEquals(JSON.parse(seen.auth), { auths: { "reg.example:5000": { auth: token } } });
    assert(seen.argv.includes("--tls-verify=false"));
    const authFile = seen.argv[seen.argv.indexOf("--authfile") + 1];
    assert(
      !(await exists(authFile)),
      "credentials removed after the job",
    );
    assertEquals(await filesContaining(join(pdd, "artifacts"), [secret, token]), [], "credentials");
    const bad = await playbookPdd("- hosts: all\n  tasks: []\n", {
      "env/settings": "container_auth_data: {host: x, username: y}\n",
    });
    const b = await runner(["run", bad, "-p", "test.yml", ...EE]);
    assertEquals(b.code, 1);
    assertIncludes(
      b.stderr,
      "env/settings: key 'container_auth_data.password': must be a non-empty string",
    );
    await cleanup(bad);
  } finally {
    await cleanup(pdd);
    await cleanup(bin);
  }
});

Deno.test("container: a job transmitted with process isolation runs in the container on a worker", async () => {
  // How AWX asks an execution node for its execution environment: ansible-runner's Python API
  // transmits process_isolation, the engine and the image as kwargs.
  const pdd = await playbookPdd(
    "- hosts: all\n  gather_facts: false\n  tasks:\n    - ansible.builtin.command: ls /runner\n" +
      "      register: listing\n    - ansible.builtin.debug: var=listing.stdout_lines\n",
    { "inventory/hosts": INVENTORY },
  );
  const ours = `${Deno.execPath()} run -A --no-lock ${join(ROOT, "main.ts")}`;
  const awx = `/usr/bin/python3 -c "import sys, ansible_runner; ansible_runner.run(` +
    `private_data_dir='${pdd}', playbook='test.yml', ident='ee', streamer='transmit', ` +
    `_output=sys.stdout.buffer, process_isolation=True, ` +
    `process_isolation_executable='podman', container_image='${IMAGE}')"`;
  const newer = await newerAnsible();
  if (!newer) throw new Error(`no ansible-runner 2.4 in ${NEWER_ANSIBLE_DIR}`);
  const transmits = [
    ["ansible-runner's API", awx, ours],
    // ansible-runner 2.4's, what AWX runs today
    ["ansible-runner 2.4's API", `PYTHONPATH=${newer.env.PYTHONPATH} ${awx}`, ours],
    ["runner", `${ours} transmit ${pdd} -p test.yml -i ee ${EE.join(" ")}`, ours],
    [
      "runner (to ansible-runner's worker)",
      `${ours} transmit ${pdd} -p test.yml -i ee ${EE.join(" ")}`,
      "ansible-runner",
    ],
  ];
  try {
    for (const [name, transmit, worker] of transmits) {
      const ctl = await Deno.makeTempDir();
      try {
        const out = await new Deno.Command("bash", {
          args: [
            "-o",
            "pipefail",
            "-c",
            `${transmit} | ${worker} worker | ${ours} process ${ctl} -i ee`,
          ],
          env: ENV,
          stdout: "piped",
          stderr: "piped",
        }).output();
        const err = new TextDecoder().decode(out.stderr);
        assertEquals(out.code, 0, `${name}: ${err}`);
        // /runner, with the private data dir's parts, exists only inside the container.
        assertIncludes(stripAnsi(new TextDecoder().decode(out.stdout)), "inventory", name);
        const command = JSON.parse(await Deno.readTextFile(join(ctl, "artifacts/ee/command")));
        assertEquals(command.command[0], "podman", name);
        assertEquals(await Deno.readTextFile(join(ctl, "artifacts/ee/status")), "successful");
      } finally {
        await cleanup(ctl);
      }
    }
  } finally {
    await cleanup(pdd);
  }
});

Deno.test("worker cleanup: --remove-images and --image-prune against podman", async () => {
  const tag = `localhost/runner-cleanup-test:${crypto.randomUUID().slice(0, 8)}`;
  await podman("tag", IMAGE, tag);
  assert((await podman("images", "--format", "{{.Repository}}:{{.Tag}}")).includes(tag));
  const r = await runner(["worker", "cleanup", "--remove-images", tag, "--image-prune"], {
    env: ENV,
  });
  assertEquals(r.code, 0, r.stderr);
  assertIncludes(r.stdout, "Removed 1 image(s)\n");
  assertIncludes(r.stdout, "(changed: True)");
  assert(!(await podman("images", "--format", "{{.Repository}}:{{.Tag}}")).includes(tag));
  assert(
    (await podman("images", "--format", "{{.Repository}}:{{.Tag}}")).includes(IMAGE),
    "others kept, the image's other tags too",
  );
  // An image that is not there is no change (podman's --force lets it pass with exit 0).
  const again = await runner(["worker", "cleanup", "--remove-images", tag], { env: ENV });
  assertEquals([again.code, again.stdout], [0, "(changed: False)\n"], again.stderr);
});

// ansible-runner 2.3 lists the image by the tag given and removes every tag listed: the image's
// other tags go too. runner removes the tag given only. A throwaway image of no files.
Deno.test("worker cleanup: --remove-images removes the tag given, not the image's others", async () => {
  const repo = `localhost/runner-throwaway-${crypto.randomUUID().slice(0, 8)}`;
  const tags = async () =>
    (await podman("images", "--format", "{{.Repository}}:{{.Tag}}")).split("\n")
      .filter((t) => t.startsWith(repo)).sort();
  const make = async () => {
    const tar = new Deno.Command("podman", {
      args: ["import", "-", `${repo}:a`],
      env: ENV,
      stdin: "piped",
      stdout: "null",
      stderr: "null",
    }).spawn();
    const w = tar.stdin.getWriter();
    await w.write(new Uint8Array(1024)); // an empty tar: two zero blocks
    await w.close();
    assert((await tar.status).success);
    await podman("tag", `${repo}:a`, `${repo}:b`);
  };
  try {
    await make();
    const ours = await runner(["worker", "cleanup", "--remove-images", `${repo}:a`], { env: ENV });
    assertEquals(ours.stdout, "Removed 1 image(s)\n(changed: True)\n", ours.stderr);
    assertEquals(await tags(), [`${repo}:b`]);
    await podman("rmi", "--force", `${repo}:b`);
    await make();
    const python = await new Deno.Command("/usr/bin/ansible-runner", {
      args: ["worker", "cleanup", "--remove-images", `${repo}:a`],
      env: ENV,
      stdout: "piped",
    }).output();
    assertIncludes(new TextDecoder().decode(python.stdout), "Removed 2 image(s)");
    assertEquals(await tags(), []);
  } finally {
    for (const t of ["a", "b"]) await podman("rmi", "--force", `${repo}:${t}`).catch(() => "");
  }
});

Deno.test("container: the inventory file under inventory/ is used inside too", async () => {
  const pdd = await makePdd({
    "inventory/hosts": INVENTORY,
    "project/test.yml":
      "- hosts: all\n  gather_facts: false\n  tasks: [{debug: {msg: '{{ inventory_hostname }}'}}]\n",
  });
  try {
    const r = await runner(["run", pdd, "-p", "test.yml", "-i", "inv", ...EE], { env: ENV });
    assertEquals(r.code, 0, r.stderr);
    assertIncludes(r.stdout, "ok: [localhost]");
  } finally {
    await cleanup(pdd);
  }
});

const TAG = "localhost/runner-image:test";

async function exec(cmd: string, args: string[]) {
  const out = await new Deno.Command(cmd, { args, env: ENV, stdout: "piped", stderr: "piped" })
    .output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { code: out.code, text };
}

Deno.test("image: the Containerfile's image runs the demo under any uid", async () => {
  const ctx = await Deno.makeTempDir({ prefix: "runner_image_" });
  const pdd = await Deno.makeTempDir({ prefix: "runner_image_pdd_" });
  try {
    await Deno.mkdir(join(ctx, "bin"));
    await Deno.copyFile(join(ROOT, "container/Containerfile"), join(ctx, "Containerfile"));
    await Deno.copyFile(join(ROOT, "container/entrypoint.sh"), join(ctx, "entrypoint.sh"));
    await Deno.copyFile(Deno.execPath(), join(ctx, "bin/deno"));
    await buildBundle(join(ctx, "bin/runner.js"));
    await Deno.writeTextFile(
      join(ctx, "bin/runner"),
      `#!/bin/sh\nexec /usr/local/bin/deno run -A ${V8_FLAGS} /usr/local/bin/runner.js "$@"\n`,
    );
    const built = await exec("podman", [
      "build",
      "--quiet",
      "-t",
      TAG,
      "--build-arg",
      `BASE=${IMAGE}`,
      "--build-arg",
      "INSTALL_ANSIBLE=0",
      ctx,
    ]);
    assertEquals(built.code, 0, built.text);

    await new Deno.Command("cp", { args: ["-r", `${ROOT}/demo/.`, pdd] }).output();
    await Deno.remove(join(pdd, "artifacts"), { recursive: true }).catch(() => {});
    await new Deno.Command("chgrp", { args: ["-R", "0", pdd] }).output();
    await new Deno.Command("chmod", { args: ["-R", "g+rwX", pdd] }).output();
    const r = await exec("podman", [
      "run",
      "--rm",
      "--user",
      "12345:0",
      "-v",
      `${pdd}:/runner:Z`,
      "-e",
      "RUNNER_PLAYBOOK=test.yml",
      "-e",
      "NO_COLOR=1",
      TAG,
    ]);
    assertEquals(r.code, 0, r.text);
    const idents = [...Deno.readDirSync(join(pdd, "artifacts"))].map((e) => e.name);
    assertEquals(idents.length, 1);
    const dir = join(pdd, "artifacts", idents[0]);
    assertEquals(await Deno.readTextFile(join(dir, "status")), "successful");
    assertEquals((await Deno.stat(join(dir, "status"))).uid, 12345);
    const events = await readEvents(dir);
    assertEquals(events.at(-1)!.event, "playbook_on_stats");
  } finally {
    await exec("podman", ["rmi", "-f", TAG]);
    await cleanup(ctx);
    await cleanup(pdd);
  }
});
