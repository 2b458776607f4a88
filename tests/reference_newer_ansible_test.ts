/**
 * The side-by-side cases again, both runners running a newer ansible-core than Debian 12's
 * 2.14: Debian 13's (2.19, the data-tagging release), unpacked by .ci/fetch-ansible-core.sh
 * (which `deno task test` runs first). Execution environments run such versions, and the
 * callback plugin must serve them as ansible-runner's does.
 */
import { join } from "node:path";
import { assertIncludes } from "../src/testing/assert.ts";
import { defineReferenceTests } from "./reference_cases.ts";

const home = Deno.env.get("HOME") ?? "/root";
const DIR = join(
  Deno.env.get("XDG_CACHE_HOME") || join(home, ".cache"),
  "runner-tests/ansible-core-trixie",
);
const version = await Deno.readTextFile(join(DIR, "VERSION")).then((v) => v.trim(), () => null);

if (version === null) {
  Deno.test("reference (newer ansible-core): unpacked", () => {
    throw new Error(`no ansible-core in ${DIR}: run 'bash .ci/fetch-ansible-core.sh' first`);
  });
} else {
  const env = {
    PATH: `${join(DIR, "usr/bin")}:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`,
    PYTHONPATH: join(DIR, "usr/lib/python3/dist-packages"),
  };
  const core = version.replace(/-.*/, "");
  Deno.test(`reference (ansible-core ${core}): the jobs below run it`, async () => {
    const out = await new Deno.Command("ansible-playbook", { args: ["--version"], env }).output();
    assertIncludes(new TextDecoder().decode(out.stdout), `[core ${core}]`);
  });
  defineReferenceTests(`ansible-core ${core}`, env);
}
