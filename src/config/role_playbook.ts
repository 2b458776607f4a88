/**
 * The playbook `--role` runs, as ansible-runner generates it.
 * @module
 */
import { ConfigError } from "./errors.ts";
import type { RunOptions } from "./options.ts";
import { pyJsonDumps, roleVarValue } from "./py_literal.ts";

/**
 * The playbook that runs `opts.role` (a file name and its JSON), as ansible-runner makes it:
 * laid out by Python's `json.dumps`, each `--role-vars` value its Python literal.
 */
export function rolePlaybook(opts: RunOptions): { name: string; content: string } {
  const role = new Map<string, unknown>([["name", opts.role]]);
  if (opts.roleVars) role.set("vars", parseRoleVars(opts.roleVars));
  const play = new Map<string, unknown>([
    ["hosts", opts.hosts ?? "all"],
    ["gather_facts", !opts.roleSkipFacts],
    ["roles", [role]],
  ]);
  return { name: crypto.randomUUID().replaceAll("-", ""), content: pyJsonDumps([play]) };
}

/** `--role-vars 'K=V K2=V2'`: each value read as ansible-runner reads it (roleVarValue). */
function parseRoleVars(text: string): Map<string, unknown> {
  const vars = new Map<string, unknown>();
  for (const item of text.split(/\s+/).filter(Boolean)) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new ConfigError(`'${item}' is not key=value`, "--role-vars");
    vars.set(item.slice(0, eq), roleVarValue(item.slice(eq + 1)));
  }
  return vars;
}
