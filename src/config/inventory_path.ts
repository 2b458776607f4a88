/**
 * Where an `--inventory` value points: a file or dir under the private data dir's inventory/,
 * an absolute path, or one from here; else, with a comma, a host list.
 * @module
 */
import { isAbsolute, join, resolve } from "../runtime/path.ts";
import { existsSync, isDir } from "../runtime/fs_sync.ts";
import { ConfigError } from "./errors.ts";

/**
 * `--inventory` on the command line, checked as ansible-runner 2.4 checks it: a file or dir
 * (under the private data dir's inventory/, or from here), or, beyond it, a host list such as
 * "web1,web2,". Anything else is most likely a typo, with which Ansible would warn, match no
 * host and succeed. (Not for the API and the wire, whose paths may be the container's.)
 */
export function checkInventoryFlag(privateDataDir: string, inventory: string | undefined): void {
  if (!inventory || inventory.includes(",")) return;
  const pdd = resolve(privateDataDir);
  // A private data dir that is not there is the error to report (prepareJob does).
  if (!isDir(pdd) || findInventory(pdd, inventory)) return;
  throw new ConfigError(
    `'${inventory}' is not a file or dir (here or under ${
      join(privateDataDir, "inventory")
    }), nor a host list (web1,web2,)`,
    "--inventory",
  );
}

/** The file or dir `inventory` names: absolute, or under `pdd`/inventory/, or from here. */
export function findInventory(pdd: string, inventory: string): string | null {
  const candidates = isAbsolute(inventory)
    ? [inventory]
    : [join(pdd, "inventory", inventory), resolve(inventory)];
  return candidates.find(existsSync) ?? null;
}
