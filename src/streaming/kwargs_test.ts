import { assert, assertEquals, assertThrows } from "../testing/assert.ts";
import { askPython } from "../testing/python.ts";
import { pythonStr } from "../config/py_scalars.ts";
import { kwargsFromOptions, optionsFromKwargs } from "./kwargs.ts";
import { parseWireLine } from "./wire.ts";
import type { ConfigError } from "../config/errors.ts";

Deno.test("kwargs: isolation travels from transmit to worker", () => {
  const kw = kwargsFromOptions({
    privateDataDir: "/controller/pdd",
    playbook: "site.yml",
    processIsolation: true,
    processIsolationExecutable: "podman",
    containerImage: "quay.io/ee:1",
    containerOptions: ["--network=host"],
    containerVolumeMounts: ["/data:/data:Z"],
    processIsolationHidePaths: ["/secret"],
  });
  const { options, warnings } = optionsFromKwargs(JSON.parse(JSON.stringify(kw)), "/node/pdd");
  assertEquals(warnings, []);
  assertEquals(
    [
      options.processIsolation,
      options.processIsolationExecutable,
      options.containerImage,
      options.containerOptions,
      options.containerVolumeMounts,
      options.processIsolationHidePaths,
      options.privateDataDir,
    ],
    [
      true,
      "podman",
      "quay.io/ee:1",
      ["--network=host"],
      ["/data:/data:Z"],
      ["/secret"],
      "/node/pdd",
    ],
  );
});

Deno.test("kwargs: as ansible-runner 2.3.1 writes them", () => {
  // Its CLI transmit: forks as digits, a container image always, isolation unset.
  const { options } = optionsFromKwargs({
    playbook: "site.yml",
    forks: "3",
    container_image: "quay.io/ansible/ansible-runner:devel",
    process_isolation: null,
    process_isolation_hide_paths: "/one/path",
    project_dir: "/controller/project",
  }, "/node/pdd");
  assertEquals(options.forks, 3);
  assertEquals(options.processIsolation, undefined);
  assertEquals(options.processIsolationHidePaths, ["/one/path"]);
  assertEquals(options.projectDir, undefined, "the controller's dirs mean nothing here");
});

Deno.test("kwargs: a wrong type names the key; an unknown key is a warning", () => {
  const e = assertThrows(() => optionsFromKwargs({ forks: "three" }, "/p")) as ConfigError;
  assertEquals(e.message, "kwargs: key 'forks': wrong type (string)");
  assertThrows(() => optionsFromKwargs({ process_isolation: "yes" }, "/p"));
  assertEquals(optionsFromKwargs({ frobnicate: 1 }, "/p").warnings, [
    "kwargs: unknown key 'frobnicate' ignored",
  ]);
});

Deno.test("kwargs: ansible-runner's other run() parameters", () => {
  const { options, warnings } = optionsFromKwargs({
    playbook: "site.yml",
    tags: "web,db",
    skip_tags: "slow",
    fact_cache_type: "jsonfile",
    container_auth_data: { host: "quay.io", username: "u", password: "p" },
    settings: { job_timeout: 60, fact_cache_type: "memory" },
    // Python's settings decide these, whatever its kwargs say; the controller's own dir.
    suppress_ansible_output: true,
    suppress_output_file: true,
    host_cwd: "/controller",
  }, "/node/pdd");
  assertEquals(warnings, []);
  assertEquals([options.tags, options.skipTags], ["web,db", "slow"]);
  assertEquals(options.settings, {
    fact_cache_type: "memory", // the settings win
    container_auth_data: { host: "quay.io", username: "u", password: "p" },
    job_timeout: 60,
  });
});

Deno.test("kwargs: envvars become text as Python's str() makes it, as ansible-runner's worker does", () => {
  const { options } = optionsFromKwargs({
    playbook: "site.yml",
    envvars: { A: "x", B: true, C: null, D: 3, E: 0.5, F: 1e-7 },
  }, "/node/pdd");
  assertEquals(options.envvars, {
    A: "x",
    B: "True",
    C: "None",
    D: "3",
    E: "0.5",
    F: "1e-07",
  });
});

Deno.test("kwargs: numbers on the wire keep the form Python's worker reads them in", async () => {
  const line = JSON.stringify({ kwargs: { playbook: "site.yml", timeout: 5 } }).replace(
    "}}",
    ', "envvars": {"A": 1.0, "B": 1e2, "C": 12345678901234567890, "D": 3, "E": -0.0, "F": "x",' +
      ' "G": {"H": 1.0}}, "passwords": {"p": 2.50, "q": 1E-7}, "extravars": {"v": 1.0}}}',
  );
  const msg = parseWireLine(line);
  assert(msg.kind === "kwargs");
  assertEquals(msg.kwargs.timeout, 5);
  assertEquals(msg.kwargs.extravars, { v: 1 }); // Ansible reads them itself, as JSON
  const { envvars, passwords } = msg.kwargs as Record<string, Record<string, unknown>>;
  delete envvars.G; // a mapping: not a number this is about
  const { options } = optionsFromKwargs({ ...msg.kwargs, envvars }, "/node/pdd");
  const ours = {
    envvars: options.envvars,
    passwords: Object.fromEntries(Object.entries(passwords).map(([k, v]) => [k, pythonStr(v)])),
  };
  assertEquals(
    ours,
    await askPython(
      `import json, sys
kw = json.loads(json.load(sys.stdin))["kwargs"]
del kw["envvars"]["G"]
print(json.dumps({n: {k: str(v) for k, v in kw[n].items()} for n in ("envvars", "passwords")}))`,
      line,
    ),
  );
});
