/**
 * What is actually spawned for a job: the program, wrapped in a bubblewrap sandbox and/or the
 * cgroup-joining prelude, run in the project dir or its isolated copy. Owns the temporary
 * dirs those need and removes them afterwards.
 */
import type { JobSpec } from "../config/job_spec.ts";
import { which } from "../exec/which.ts";
import { isolateProject } from "../isolation/directory.ts";
import { bwrapArgs, readRootLayout } from "../isolation/bwrap.ts";
import { containerCommand, registryAuthFile } from "../isolation/container.ts";
import { writePrivateFile } from "../sinks/artifacts.ts";
import { dirname, join } from "../runtime/path.ts";
import { type JobCgroup, JOIN_PRELUDE } from "../../profiling/job_cgroup.ts";

/** What ran, as ansible-runner records it in `command` and the starting status. */
export interface ShownCommand {
  command: string[];
  cwd: string;
  env: Record<string, string>;
}

/** A prepared launch; call cleanup() when the job is over. */
export interface Launch {
  file: string;
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  /** The sandbox's or the container's command line (not runner's cgroup prelude), with the
   * working dir and environment the job has there. */
  shown: ShownCommand;
  /** The temp dirs cleanup() removes. */
  temps: readonly string[];
  cleanup(): void;
}

/** What the job is given besides its spec, made for it by runner. */
export interface LaunchAids {
  /** The job's cgroup (resource profiling). */
  cgroup?: JobCgroup | null;
  /** The ssh key's FIFO, for a container's ssh-add. */
  sshKeyFifo?: string | null;
  /** The socket of the ssh-agent runner started for the job, which a sandbox must show. */
  sshAgentSocket?: string | null;
}

/** Builds the launch for `program` (resolved path of argv[0]). */
export function prepareLaunch(
  spec: JobSpec,
  program: string,
  env: Record<string, string>,
  { cgroup = null, sshKeyFifo = null, sshAgentSocket = null }: LaunchAids = {},
): Launch {
  const temps: string[] = [];
  const cleanup = () => {
    for (const t of temps) {
      try {
        Deno.removeSync(t, { recursive: true });
      } catch { /* already gone */ }
    }
  };
  try {
    let cwd = spec.cwd;
    if (spec.directoryIsolation && cwd === spec.projectDir) {
      cwd = isolateProject(spec.directoryIsolation.base, spec.projectDir);
      if (spec.directoryIsolation.cleanup) temps.push(cwd);
    }
    let file = program;
    let argv = [program, ...spec.argv.slice(1)];
    let shown: ShownCommand = { command: spec.argv, cwd, env };
    if (spec.sandbox) {
      const s = spec.sandbox;
      const tmpDir = Deno.makeTempDirSync({ dir: s.tmpBase, prefix: "ansible_runner_pi_" });
      Deno.chmodSync(tmpDir, 0o700);
      temps.push(tmpDir);
      // The agent's private dir lies in the host's /tmp, which the sandbox does not show.
      const agentDir = sshAgentSocket ? dirname(sshAgentSocket) : null;
      const writable = [spec.privateDataDir, spec.artifactDir, cwd, spec.projectDir, agentDir]
        .filter((p): p is string => p !== null)
        .filter((p, i, all) =>
          all.indexOf(p) === i && !all.slice(0, i).some((q) => p.startsWith(q + "/"))
        );
      const sandbox = {
        executable: s.executable,
        writable,
        show: s.show,
        readOnly: s.readOnly,
        hide: s.hide.map((path) => ({ path, isDir: isDirOrMissing(path) })),
        tmpDir,
        cwd,
      };
      const layout = readRootLayout();
      argv = bwrapArgs(sandbox, layout, argv);
      // The program by the name it was given, as ansible-runner records the sandbox's command.
      shown = { ...shown, command: bwrapArgs(sandbox, layout, spec.argv) };
      file = which(s.executable, env.PATH, cwd)!;
    }
    if (spec.container) {
      const c = spec.container;
      const engine = which(c.engine, env.PATH, cwd);
      if (!engine) throw new Error(`cannot run '${c.engine}': it is not installed or not in PATH`);
      let auth: { path: string; verifySsl: boolean } | undefined;
      if (c.auth) {
        // Credentials live in a private temp dir for the job's duration, never in artifacts.
        const dir = Deno.makeTempDirSync({ prefix: "runner_auth_" });
        Deno.chmodSync(dir, 0o700);
        temps.push(dir);
        const f = registryAuthFile(c.engine, dir, c.auth);
        Deno.writeTextFileSync(f.file, f.content, { mode: 0o600 });
        auth = { path: f.path, verifySsl: c.auth.verifySsl };
      }
      const built = containerCommand({
        engine: c.engine,
        image: c.image,
        volumeMounts: c.volumeMounts,
        options: c.options,
        privateDataDir: spec.privateDataDir,
        artifactDir: spec.artifactDir,
        ident: spec.ident,
        cwd,
        argv: spec.argv,
        env: { ...spec.ownEnv, ANSIBLE_CALLBACK_PLUGINS: env.ANSIBLE_CALLBACK_PLUGINS },
        uid: Deno.uid() ?? 0,
        sshKeyFifo: sshKeyFifo ?? undefined,
        auth,
      });
      writePrivateFile(join(spec.artifactDir, "env.list"), built.envList);
      file = engine;
      argv = built.argv;
      shown = { command: built.argv, cwd: built.workdir, env: built.env };
    }
    if (cgroup) {
      argv = ["sh", "-c", JOIN_PRELUDE, "runner-cgroup", file, ...argv.slice(1)];
      file = "/bin/sh";
      env = { ...env, RUNNER_CGROUP_PROCS: cgroup.procsFiles.join(":") };
    }
    return { file, argv, env, cwd, shown, temps, cleanup };
  } catch (e) {
    cleanup();
    throw e;
  }
}

function isDirOrMissing(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return true;
  }
}
