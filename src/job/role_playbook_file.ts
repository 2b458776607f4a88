/**
 * The file of the playbook a `--role` job runs, in the project dir as ansible-runner puts it.
 * When there is no project dir, the job makes one and removes it after, but only once it is
 * empty: jobs that share a private data dir may be running their own role playbooks from it
 * (and from it as their working dir), and removing it from under them failed them.
 * @module
 */
import { dirname } from "../runtime/path.ts";
import { osError } from "../config/errors.ts";

/**
 * Writes the playbook at `path`, making its dir if there is none (again, should another job
 * remove it in between). Returns whether this job made the dir.
 */
export function placeRolePlaybook(path: string, content: string): boolean {
  let made = false;
  for (let attempt = 0;; attempt++) {
    try {
      Deno.writeTextFileSync(path, content);
      return made;
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound) || attempt === 3) {
        // A read-only private data dir, say: in words, naming the dir.
        const why = osError((e as Error).message).reason;
        throw new Error(`cannot write the role's playbook into ${dirname(path)}: ${why}`);
      }
      Deno.mkdirSync(dirname(path), { recursive: true });
      made = true;
    }
  }
}

/**
 * Removes the playbook, and the dir this job made for it if nothing else is left in it (another
 * job's playbook is, while that job runs). Never throws.
 */
export async function removeRolePlaybook(path: string, madeDir: boolean): Promise<void> {
  await Deno.remove(path).catch(() => {});
  if (madeDir) await Deno.remove(dirname(path)).catch(() => {});
}
