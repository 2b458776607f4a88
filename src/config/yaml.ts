/**
 * YAML parsing with PyYAML's `safe_load` semantics, which ansible-runner users' files are
 * written for: YAML 1.1 booleans but not `y`/`n`, floats only with a dot and a signed
 * exponent, duplicate keys keep the last value. Flat `key: scalar` files take a fast path
 * (flat_yaml.ts); the full parser is loaded only for the rest: an npm import starts Deno's
 * Node compatibility layer (~10 MiB, ~20 ms), which would delay every job.
 */
import { parseFlatYaml } from "./flat_yaml.ts";
import { PY_TIMESTAMP_TEST, PyTimestamp, pyTimestamp } from "./py_timestamp.ts";

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
    if (t.tag === "tag:yaml.org,2002:timestamp") {
      return {
        ...t,
        test: PY_TIMESTAMP_TEST,
        identify: (v: unknown) => v instanceof PyTimestamp,
        resolve: (s: string, onError: (msg: string) => void) => {
          try {
            return pyTimestamp(s);
          } catch (e) {
            onError(`timestamp ${s}: ${(e as Error).message}`);
            return s;
          }
        },
      };
    }
    return t;
  });
}

/**
 * Ansible's own tags, for files Ansible reads (`env/extravars`): AWX writes untrusted values
 * as `!unsafe '…'`, and a value may be `!vault |` ciphertext. Read here only to validate the
 * file (Ansible reads it itself), as their text.
 */
const ANSIBLE_TAGS = ["!unsafe", "!vault", "!vault-encrypted"].flatMap((tag) => [
  { tag, resolve: (s: string) => s },
  { tag, collection: "map", resolve: (m: unknown) => m },
  { tag, collection: "seq", resolve: (m: unknown) => m },
]);

/** Options of {@link parseYaml}. */
export interface YamlOptions {
  /** Understand Ansible's `!unsafe` and `!vault` tags (for files Ansible reads itself). */
  ansibleTags?: boolean;
}

/**
 * Parses YAML (or JSON) text as PyYAML would. Rejects with an Error on bad syntax and, as
 * safe_load does, on a tag it does not know (the parser would only warn, on stderr).
 */
export async function parseYaml(text: string, opts: YamlOptions = {}): Promise<unknown> {
  if (text.trim() === "") return null; // what safe_load gives, without loading the parser
  const flat = parseFlatYaml(text);
  if (flat !== undefined) return flat;
  const { default: YAML } = await import("yaml");
  const tags = (
    defaults: Tag[],
  ) => [...pyTags(defaults), ...(opts.ansibleTags ? ANSIBLE_TAGS : [])];
  const doc = YAML.parseDocument(text, {
    version: "1.1",
    uniqueKeys: false,
    // deno-lint-ignore no-explicit-any
    customTags: tags as any,
  });
  if (doc.errors.length) throw doc.errors[0];
  const unknown = doc.warnings.find((w) => w.code === "TAG_RESOLVE_FAILED");
  if (unknown) {
    const tag = /tag: (\S+)/.exec(unknown.message)?.[1] ?? "?";
    const at = unknown.linePos?.[0];
    throw new Error(`unknown tag ${tag}${at ? ` at line ${at.line}, column ${at.col}` : ""}`);
  }
  return doc.toJS({ maxAliasCount: 1000 });
}
