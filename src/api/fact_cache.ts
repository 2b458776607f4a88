/**
 * Reading a host's facts from Ansible's jsonfile fact cache, in both of its layouts: up to
 * ansible-core 2.18 a file named for the host holding the facts; from 2.19 on a file named
 * `s<schema>_<host>` holding `{"__payload__": "<JSON>"}`, whose values carry Ansible's data
 * tags (`{"__ansible_type": "_AnsibleTaggedStr", "value": …, "tags": […]}`).
 */
import { join } from "../runtime/path.ts";

/** The cache file names that may hold `host`'s facts, the newest layout first. Pure. */
export function factCacheNames(entries: string[], host: string): string[] {
  const schemas = entries
    .map((name) => /^s(\d+)_(.*)$/s.exec(name))
    .filter((m): m is RegExpExecArray => m !== null && m[2] === host)
    .sort((a, b) => Number(b[1]) - Number(a[1]))
    .map((m) => m[0]);
  return entries.includes(host) ? [...schemas, host] : schemas;
}

/** The facts in a cache file's text: the payload unwrapped, tagged values as plain ones. Pure. */
export function factsFromCacheText(text: string): Record<string, unknown> | null {
  let doc = JSON.parse(text);
  if (isObject(doc) && typeof doc.__payload__ === "string") doc = JSON.parse(doc.__payload__);
  const facts = untag(doc);
  return isObject(facts) ? facts : null;
}

/** Reads `host`'s facts under `factCacheDir`; null when there are none. */
export async function readFactCache(
  factCacheDir: string,
  host: string,
): Promise<Record<string, unknown> | null> {
  if (host.includes("/") || host === ".." || host === ".") return null;
  let entries: string[];
  try {
    entries = (await Array.fromAsync(Deno.readDir(factCacheDir))).map((e) => e.name);
  } catch {
    return null;
  }
  for (const name of factCacheNames(entries, host)) {
    try {
      return factsFromCacheText(await Deno.readTextFile(join(factCacheDir, name)));
    } catch { /* unreadable or not JSON: the next layout */ }
  }
  return null;
}

/** A value with Ansible's data tags taken off: a tagged str, int, list, dict… is its value. */
function untag(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(untag);
  if (!isObject(value)) return value;
  const type = value.__ansible_type;
  if (typeof type === "string" && type.startsWith("_AnsibleTagged") && "value" in value) {
    return untag(value.value);
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, untag(v)]));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
