import { assertEquals, assertThrows } from "../testing/assert.ts";
import { kwargsFromOptions, optionsFromKwargs } from "./kwargs.ts";
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
