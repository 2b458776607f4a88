/**
 * Execution environments: the job runs inside a podman or docker container with the private
 * data dir mounted at /runner. Pure building of the engine's command line and `env.list`.
 */

/** Inputs of {@link containerCommand}. */
export interface ContainerInput {
  engine: "podman" | "docker";
  image: string;
  volumeMounts: string[];
  options: string[];
  privateDataDir: string;
  artifactDir: string;
  ident: string;
  /** Host working dir of the job (the project dir, or its isolated copy). */
  cwd: string;
  /** The job's command with host paths. */
  argv: string[];
  /** Only runner's own variables and env/envvars: the host environment stays outside. */
  env: Record<string, string>;
  uid: number;
  /** Host path of the FIFO carrying the ssh key, when there is one. */
  sshKeyFifo?: string;
  /** Registry credentials: podman's auth file, or docker's config dir (see registryAuthFiles). */
  auth?: { path: string; verifySsl: boolean };
}

/**
 * The credential file an engine reads: podman `--authfile FILE`, docker `--config DIR` with
 * `DIR/config.json`. Both hold `{"auths": {host: {"auth": base64(user:password)}}}`. Pure.
 */
export function registryAuthFile(
  engine: "podman" | "docker",
  dir: string,
  auth: { host: string; username: string; password: string },
): { path: string; file: string; content: string } {
  const token = new TextEncoder().encode(`${auth.username}:${auth.password}`).toBase64();
  const content = JSON.stringify({ auths: { [auth.host]: { auth: token } } }, null, 2) + "\n";
  const file = engine === "podman" ? `${dir}/auth.json` : `${dir}/config.json`;
  return { path: engine === "podman" ? file : dir, file, content };
}

/** The container's name: `ansible_runner_<ident>`, with characters engines reject replaced. */
export function containerName(ident: string): string {
  return `ansible_runner_${ident.replace(/[^a-zA-Z0-9_.-]/g, "_")}`;
}

/** Maps host paths under the artifact dir and the private data dir to their container paths. */
export function containerPaths(
  i: Pick<ContainerInput, "privateDataDir" | "artifactDir" | "ident" | "cwd">,
) {
  const pdd = i.privateDataDir.replace(/\/+$/, "");
  const art = i.artifactDir.replace(/\/+$/, "");
  const artInside = `/runner/artifacts/${i.ident}`;
  const cwdInside = i.cwd === pdd || i.cwd.startsWith(pdd + "/")
    ? "/runner" + i.cwd.slice(pdd.length)
    : "/runner/project";
  return (text: string): string =>
    text.split(art).join(artInside)
      .split(i.cwd).join(cwdInside)
      .replace(new RegExp(`${escapeRe(pdd)}(?=/|$)`, "g"), "/runner");
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The engine command, the `env.list` file's content, and the job's environment and working
 * dir as the container sees them. */
export function containerCommand(
  i: ContainerInput,
): { argv: string[]; envList: string; env: Record<string, string>; workdir: string } {
  const inside = containerPaths(i);
  const pdd = i.privateDataDir.replace(/\/+$/, "");
  const mounts = ["-v", `${pdd}/:/runner/:Z`];
  if (!i.artifactDir.startsWith(pdd + "/")) {
    mounts.push("-v", `${i.artifactDir}/:/runner/artifacts/${i.ident}/:Z`);
  }
  if (!(i.cwd === pdd || i.cwd.startsWith(pdd + "/"))) {
    mounts.push("-v", `${i.cwd}/:/runner/project/:Z`);
  }
  for (const m of i.volumeMounts) mounts.push("-v", m);
  let command = i.argv.map(inside);
  if (i.sshKeyFifo) {
    const fifo = inside(i.sshKeyFifo);
    command = [
      "ssh-agent",
      "sh",
      "-c",
      `ssh-add ${fifo} && rm -f ${fifo} && exec "$@"`,
      "sh",
      ...command,
    ];
  }
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(i.env)) env[k] = inside(v);
  if (i.engine === "podman") env.ANSIBLE_UNSAFE_WRITES = "1";
  // A value holding a newline cannot be one line of an env file: it stays out of both.
  for (const [k, v] of Object.entries(env)) if (v.includes("\n")) delete env[k];
  const envList = Object.entries(env).map(([k, v]) => `${k}=${v}`).join("\n") + "\n";
  const workdir = inside(i.cwd);
  const auth: string[] = [];
  const global: string[] = [];
  if (i.auth) {
    if (i.engine === "podman") {
      auth.push("--authfile", i.auth.path);
      if (!i.auth.verifySsl) auth.push("--tls-verify=false");
    } else global.push("--config", i.auth.path); // docker reads credentials globally
  }
  const argv = [
    i.engine,
    ...global,
    "run",
    "--rm",
    "--tty",
    "--interactive",
    "--workdir",
    workdir,
    ...mounts,
    "--env-file",
    `${i.artifactDir}/env.list`,
    ...(i.engine === "podman" ? ["--quiet"] : [`--user=${i.uid}`]),
    "--name",
    containerName(i.ident),
    ...auth,
    ...i.options,
    i.image,
    ...command,
  ];
  return { argv, envList, env, workdir };
}
