/** `transmit`: a job's options and private data dir onto the wire, for a worker to run. */
import type { RunOptions } from "../config/options.ts";
import { ConfigError } from "../config/errors.ts";
import { kwargsFromOptions } from "./kwargs.ts";
import { type SyncWriter, writeLine } from "./wire.ts";
import { sendDirectory } from "./zip_frame.ts";
import type { ExtraEntry } from "./zip_out.ts";
import { rolePlaybook } from "../config/role_playbook.ts";
import { join, relative, resolve } from "../runtime/path.ts";

/** Writes kwargs, the zipped private data dir, and eof. */
export async function transmit(options: RunOptions, out: SyncWriter): Promise<void> {
  try {
    if (!Deno.statSync(options.privateDataDir).isDirectory) throw new Error();
  } catch {
    throw new ConfigError(
      `private data dir ${options.privateDataDir} does not exist or is not a directory`,
    );
  }
  // A role travels as its generated playbook, added to the zip (the private data dir itself is
  // not touched), with the roles path relative to the worker's roles/ dir, as workers expect.
  const extra: ExtraEntry[] = [];
  let sent = options;
  if (options.role) {
    const pdd = resolve(options.privateDataDir);
    const roles = resolve(options.rolesPath ?? join(pdd, "roles"));
    if (roles !== pdd && !roles.startsWith(pdd + "/")) {
      throw new ConfigError(
        `${roles} is outside the private data dir and cannot be transmitted`,
        "--roles-path",
      );
    }
    const { name, content } = rolePlaybook(options);
    extra.push({ name: `project/${name}`, data: new TextEncoder().encode(content) });
    sent = {
      ...options,
      role: undefined,
      roleVars: undefined,
      hosts: undefined,
      rolesPath: undefined,
      playbook: name,
      envvars: { ...options.envvars, ANSIBLE_ROLES_PATH: relative(join(pdd, "roles"), roles) },
    };
  }
  writeLine(out, { kwargs: kwargsFromOptions(sent) });
  await sendDirectory(out, options.privateDataDir, extra);
  writeLine(out, { eof: true });
}
