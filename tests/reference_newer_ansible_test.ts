/**
 * The side-by-side cases again, beside Debian 13's ansible-runner (2.4) and with its
 * ansible-core (2.19, the data-tagging release) for both runners: the pair execution
 * environments run today. Unpacked by .ci/fetch-newer-ansible.sh (which `deno task test` runs
 * first).
 */
import { join } from "node:path";
import { assertEquals, assertIncludes } from "../src/testing/assert.ts";
import { defineReferenceTests } from "./reference_cases.ts";
import { NEWER_ANSIBLE_DIR, newerAnsible } from "./helpers.ts";

const newer = await newerAnsible();
if (newer === null) {
  Deno.test("reference (newer Ansible): unpacked", () => {
    throw new Error(`nothing in ${NEWER_ANSIBLE_DIR}: run 'bash .ci/fetch-newer-ansible.sh'`);
  });
} else {
  const { env, versions, dir } = newer;
  const upstream = (p: string) => (versions.get(p) ?? "?").replace(/-.*/, "");
  const core = upstream("ansible-core");
  const label = `ansible-runner ${upstream("python3-ansible-runner")}, ansible-core ${core}`;
  Deno.test(`reference (${label}): the jobs below run them`, async () => {
    const out = await new Deno.Command("ansible-playbook", { args: ["--version"], env }).output();
    assertIncludes(new TextDecoder().decode(out.stdout), `[core ${core}]`);
    // Debian's package calls itself 0.0.0: where its module is loaded from says which it is.
    const py = await new Deno.Command("/usr/bin/python3", {
      args: ["-c", "import ansible_runner; print(ansible_runner.__file__)"],
      env,
    }).output();
    assertEquals(
      new TextDecoder().decode(py.stdout).trim(),
      join(dir, "usr/lib/python3/dist-packages/ansible_runner/__init__.py"),
    );
  });
  defineReferenceTests({ label, env });
}
