/**
 * Process isolation, validated from flags and settings: bubblewrap, or a container engine
 * (podman, docker) with its image, mounts, options and registry credentials.
 * @module
 */
import { resolve } from "../runtime/path.ts";
import { existsSync, isDir } from "../runtime/fs_sync.ts";
import { which } from "../exec/which.ts";
import { ConfigError } from "./errors.ts";
import type { RunOptions } from "./options.ts";
import type { Settings } from "./settings.ts";

/** bubblewrap settings, validated. */
export interface SandboxOptions {
  executable: string;
  tmpBase: string;
  hide: string[];
  show: string[];
  readOnly: string[];
}

/** Container settings, validated. */
export interface ContainerOptions {
  engine: "podman" | "docker";
  image: string;
  volumeMounts: string[];
  options: string[];
  /** Registry credentials for pulling the image (`container_auth_data`). */
  auth: RegistryAuth | null;
}

/** `container_auth_data`, validated. */
export interface RegistryAuth {
  host: string;
  username: string;
  password: string;
  verifySsl: boolean;
}

/**
 * Host dirs a container may not be given, as ansible-runner refuses them: the root, /home and
 * /usr. Mounted, the job could read (or change) the host's system or every user's files. (A
 * file is mounted alone, so a file in them is fine.)
 */
const UNMOUNTABLE = new Set(["/", "/home", "/usr"]);

function checkMountable(path: string, what: string, key: string): void {
  if (UNMOUNTABLE.has(resolve(path))) {
    throw new ConfigError(`${what} ${path}: /, /home and /usr cannot be given to a container`, key);
  }
}

/**
 * `~` and `$VAR` / `${VAR}` in a path, as Python's expanduser(expandvars(…)) does: a variable
 * that is not set stays as written, and so does `~user`. Pure.
 */
export function expandPath(path: string, env: Record<string, string>): string {
  const vars = path.replace(
    /\$(?:(\w+)|\{([^}]*)\})/g,
    (all, name, braced) => env[name ?? braced] ?? all,
  );
  return env.HOME !== undefined && /^~(?=\/|$)/.test(vars) ? env.HOME + vars.slice(1) : vars;
}

/**
 * Volume mounts as ansible-runner takes them: `SRC:DEST[:OPTIONS]`, SRC expanded (see
 * expandPath) and made absolute. A SRC this node does not have is left out with a warning, as
 * ansible-runner skips it: AWX gives every execution node the same mounts (its show paths), and
 * passed on, the engine would fail the job. `/`, `/home` and `/usr` are refused.
 */
export function hostVolumeMounts(
  list: readonly string[],
  key: string,
  env: Record<string, string>,
  warnings: string[],
): string[] {
  const mounts: string[] = [];
  for (const m of list) {
    const [src, dest, ...rest] = m.split(":");
    if (!src || !dest) throw new ConfigError(`'${m}' is not SRC:DEST[:OPTIONS]`, key);
    const expanded = expandPath(src, env);
    checkMountable(expanded, "the mount", key);
    const full = resolve(expanded);
    // Mounted over, the container's own system dirs would be gone (ansible-runner refuses too).
    if (UNMOUNTABLE.has(resolve(dest))) {
      throw new ConfigError(`the mount ${m}: nothing may be mounted on /, /home or /usr`, key);
    }
    if (!existsSync(full)) {
      warnings.push(`${key}: ${full} does not exist on this node: not mounted`);
      continue;
    }
    mounts.push([full, dest, ...rest].join(":"));
  }
  return mounts;
}

/** Process isolation: bubblewrap, or a container engine. Flags win over settings. */
export function isolationSpec(
  pdd: string,
  opts: RunOptions,
  settings: Settings,
  env: Record<string, string>,
  warnings: string[],
): { sandbox: SandboxOptions | null; container: ContainerOptions | null } {
  if (!(opts.processIsolation ?? settings.process_isolation)) {
    return { sandbox: null, container: null };
  }
  const exe = opts.processIsolationExecutable ?? settings.process_isolation_executable ?? "bwrap";
  const engine = exe.split("/").pop();
  if (engine === "podman" || engine === "docker") {
    // As ansible-runner 2.4: no default image (2.3 pulled its development image unasked).
    const image = opts.containerImage ?? settings.container_image;
    if (!image) {
      throw new ConfigError(
        `process_isolation_executable ${exe} needs a container image: give --container-image ` +
          "or the setting container_image in env/settings",
      );
    }
    checkMountable(pdd, "the private data dir", "private_data_dir");
    const mountsKey = opts.containerVolumeMounts
      ? "--container-volume-mount"
      : "container_volume_mounts";
    const volumeMounts = hostVolumeMounts(
      opts.containerVolumeMounts ?? settings.container_volume_mounts ?? [],
      mountsKey,
      env,
      warnings,
    );
    return {
      sandbox: null,
      container: {
        engine,
        image,
        volumeMounts,
        options: opts.containerOptions ?? settings.container_options ?? [],
        auth: registryAuth(settings.container_auth_data),
      },
    };
  }
  if (!which(exe, env.PATH, Deno.cwd())) {
    throw new ConfigError(
      `'${exe}' is not installed or not in PATH`,
      "process_isolation_executable",
    );
  }
  // A path this node does not have is left out with a warning, as ansible-runner leaves it out
  // (as with a container's volume mounts).
  const paths = (list: string[] | undefined, key: string, mustExist: boolean) =>
    (list ?? []).map((p) => resolve(p)).filter((full) => {
      if (!mustExist || existsSync(full)) return true;
      warnings.push(`${key}: ${full} does not exist on this node: left out`);
      return false;
    });
  return {
    container: null,
    sandbox: {
      executable: exe,
      tmpBase: existingDir(
        opts.processIsolationPath ?? settings.process_isolation_path ?? "/tmp",
        opts.processIsolationPath ? "--process-isolation-path" : "process_isolation_path",
      ),
      hide: paths(
        opts.processIsolationHidePaths ?? settings.process_isolation_hide_paths,
        "process_isolation_hide_paths",
        false,
      ),
      show: paths(
        opts.processIsolationShowPaths ?? settings.process_isolation_show_paths,
        "process_isolation_show_paths",
        true,
      ),
      readOnly: paths(
        opts.processIsolationRoPaths ?? settings.process_isolation_ro_paths,
        "process_isolation_ro_paths",
        true,
      ),
    },
  };
}

/**
 * A base dir the job makes its temporary dirs in, made absolute: it must exist, as with
 * ansible-runner (made on demand, a typo would leave a tree of empty dirs behind).
 */
export function existingDir(path: string, key: string): string {
  const full = resolve(path);
  if (!isDir(full)) throw new ConfigError(`${full} is not an existing directory`, key);
  return full;
}

/** Validates `container_auth_data` ({host, username, password, verify_ssl}). */
function registryAuth(data: Record<string, unknown> | undefined): RegistryAuth | null {
  if (!data) return null;
  for (const key of ["host", "username", "password"]) {
    if (typeof data[key] !== "string" || data[key] === "") {
      throw new ConfigError(
        "must be a non-empty string",
        "env/settings",
        `container_auth_data.${key}`,
      );
    }
  }
  if (data.verify_ssl !== undefined && typeof data.verify_ssl !== "boolean") {
    throw new ConfigError(
      "must be true or false",
      "env/settings",
      "container_auth_data.verify_ssl",
    );
  }
  return {
    host: data.host as string,
    username: data.username as string,
    password: data.password as string,
    verifySsl: data.verify_ssl !== false,
  };
}
