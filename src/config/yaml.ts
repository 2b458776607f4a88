/**
 * YAML parsing with PyYAML's `safe_load` semantics, which ansible-runner users' files are
 * written for: YAML 1.1 booleans but not `y`/`n`, floats only with a dot and a signed
 * exponent, duplicate keys keep the last value. Flat `key: scalar` files take a fast path
 * (flat_yaml.ts); the full parser is loaded only for the rest: an npm import starts Deno's
 * Node compatibility layer (~10 MiB, ~20 ms), which would delay every job.
 */
import { parseFlatYaml } from "./flat_yaml.ts";

type Tag = { tag: string; test?: RegExp; format?: string; [k: string]: unknown };

const PY_TRUE = /^(?:[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/;
const PY_FALSE = /^(?:[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/;
const PY_FLOAT_EXP = /^[-+]?(?:[0-9][0-9_]*\.[0-9_]*|\.[0-9_]+)[eE][-+][0-9]+$/;

function pyTags(tags: Tag[]): Tag[] {
  return tags.map((t) => {
    if (t.tag === "tag:yaml.org,2002:bool" && t.test) {
      return { ...t, test: t.test.test("true") ? PY_TRUE : PY_FALSE };
    }
    if (t.tag === "tag:yaml.org,2002:float" && t.format === "EXP") {
      return { ...t, test: PY_FLOAT_EXP };
    }
    return t;
  });
}

/** Parses YAML (or JSON) text as PyYAML would. Rejects with a YAMLError on bad syntax. */
export async function parseYaml(text: string): Promise<unknown> {
  if (text.trim() === "") return null; // what safe_load gives, without loading the parser
  const flat = parseFlatYaml(text);
  if (flat !== undefined) return flat;
  const { default: YAML } = await import("yaml");
  return YAML.parse(text, {
    version: "1.1",
    uniqueKeys: false,
    // deno-lint-ignore no-explicit-any
    customTags: pyTags as any,
    maxAliasCount: 1000,
  });
}
