import { assertEquals } from "../testing/assert.ts";
import { containerCommand, containerName, registryAuthFile } from "./container.ts";

const base = {
  image: "localhost/ee:1",
  volumeMounts: [],
  options: [],
  privateDataDir: "/srv/pdd",
  artifactDir: "/srv/pdd/artifacts/j1",
  ident: "j1",
  cwd: "/srv/pdd/project",
  argv: [
    "ansible-playbook",
    "-i",
    "/srv/pdd/inventory",
    "-e",
    "@/srv/pdd/env/extravars",
    "test.yml",
  ],
  env: {
    ANSIBLE_CALLBACK_PLUGINS: "/srv/pdd/artifacts/j1/callback",
    AWX_ISOLATED_DATA_DIR: "/srv/pdd/artifacts/j1",
    MY_VAR: "x",
  },
  uid: 1000,
};

Deno.test("container: podman command line and env.list, as ansible-runner builds them", () => {
  const { argv, envList } = containerCommand({
    ...base,
    engine: "podman",
    options: ["--network=host"],
  });
  assertEquals(argv, [
    "podman",
    "run",
    "--rm",
    "--tty",
    "--interactive",
    "--workdir",
    "/runner/project",
    "-v",
    "/srv/pdd/:/runner/:Z",
    "--env-file",
    "/srv/pdd/artifacts/j1/env.list",
    "--quiet",
    "--name",
    "ansible_runner_j1",
    "--network=host",
    "localhost/ee:1",
    "ansible-playbook",
    "-i",
    "/runner/inventory",
    "-e",
    "@/runner/env/extravars",
    "test.yml",
  ]);
  assertEquals(
    envList,
    "ANSIBLE_CALLBACK_PLUGINS=/runner/artifacts/j1/callback\nAWX_ISOLATED_DATA_DIR=/runner/artifacts/j1\n" +
      "MY_VAR=x\nANSIBLE_UNSAFE_WRITES=1\n",
  );
});

Deno.test("container: docker runs as the caller's uid; no unsafe-writes; mounts and names", () => {
  const { argv, envList } = containerCommand({
    ...base,
    engine: "docker",
    ident: "a b/c",
    artifactDir: "/elsewhere/a b/c",
    volumeMounts: ["/data:/data:ro"],
  });
  assertEquals(argv.slice(0, 20), [
    "docker",
    "run",
    "--rm",
    "--tty",
    "--interactive",
    "--workdir",
    "/runner/project",
    "-v",
    "/srv/pdd/:/runner/:Z",
    "-v",
    "/elsewhere/a b/c/:/runner/artifacts/a b/c/:Z",
    "-v",
    "/data:/data:ro",
    "--env-file",
    "/elsewhere/a b/c/env.list",
    "--user=1000",
    "--name",
    "ansible_runner_a_b_c",
    "localhost/ee:1",
    "ansible-playbook",
  ]);
  assertEquals(envList.includes("ANSIBLE_UNSAFE_WRITES"), false);
  assertEquals(containerName("x:y"), "ansible_runner_x_y");
});

Deno.test("container: the ssh key comes through a FIFO into an agent inside", () => {
  const { argv } = containerCommand({
    ...base,
    engine: "podman",
    sshKeyFifo: "/srv/pdd/artifacts/j1/ssh_key_data",
  });
  const i = argv.indexOf("localhost/ee:1");
  assertEquals(argv.slice(i + 1, i + 6), [
    "ssh-agent",
    "sh",
    "-c",
    'ssh-add /runner/artifacts/j1/ssh_key_data && rm -f /runner/artifacts/j1/ssh_key_data && exec "$@"',
    "sh",
  ]);
});

Deno.test("container: registry credentials, podman --authfile (and TLS), docker --config", () => {
  const creds = { host: "registry.example:5000", username: "u", password: "p@ss" };
  const pod = registryAuthFile("podman", "/tmp/a", creds);
  assertEquals([pod.path, pod.file], ["/tmp/a/auth.json", "/tmp/a/auth.json"]);
  assertEquals(JSON.parse(pod.content), {
    auths: { "registry.example:5000": { auth: "dTpwQHNz" } },
  });
  const dock = registryAuthFile("docker", "/tmp/d", creds);
  assertEquals([dock.path, dock.file], ["/tmp/d", "/tmp/d/config.json"]);

  const p = containerCommand({
    ...base,
    engine: "podman",
    auth: { path: "/tmp/a/auth.json", verifySsl: false },
  });
  const at = p.argv.indexOf("--authfile");
  assertEquals(p.argv.slice(at, at + 3), ["--authfile", "/tmp/a/auth.json", "--tls-verify=false"]);
  const d = containerCommand({
    ...base,
    engine: "docker",
    auth: { path: "/tmp/d", verifySsl: true },
  });
  assertEquals(d.argv.slice(0, 4), ["docker", "--config", "/tmp/d", "run"]);
});
