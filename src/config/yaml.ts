/**
 * YAML parsing with PyYAML's `safe_load` semantics, which ansible-runner users' files are
 * written for: YAML 1.1 booleans but not `y`/`n`, floats only with a dot and a signed
 * exponent, duplicate keys keep the last value.
 */
import YAML from "yaml";

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

/** Parses YAML (or JSON) text as PyYAML would. Throws a YAML.YAMLError on bad syntax. */
export function parseYaml(text: string): unknown {
  return YAML.parse(text, {
    version: "1.1",
    uniqueKeys: false,
    // deno-lint-ignore no-explicit-any
    customTags: pyTags as any,
    maxAliasCount: 1000,
  });
}
