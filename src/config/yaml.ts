/**
 * YAML parsing with PyYAML's `safe_load` semantics, which ansible-runner users' files are
 * written for: PyYAML's rules for which plain scalars are booleans (YAML 1.1's, but not
 * `y`/`n`), integers (`09` and `0:30` are text) and floats (a dot, and a signed exponent),
 * timestamps as PyYAML makes them, duplicate keys keep the last value. Flat `key: scalar` files
 * take a fast path (flat_yaml.ts); the full parser is loaded only for the rest: an npm import
 * starts Deno's Node compatibility layer (~10 MiB, ~20 ms), which would delay every job.
 */
import { parseFlatYaml } from "./flat_yaml.ts";
import {
  PY_TIMESTAMP_TEST,
  PyFloat,
  pythonJsonNumber,
  pythonKeyedMapping,
  PyTimestamp,
  pyTimestamp,
} from "./py_scalars.ts";

type Resolve = (s: string, onError: (msg: string) => void, options: unknown) => unknown;
type Tag = { tag: string; test?: RegExp; format?: string; resolve?: Resolve; [k: string]: unknown };

const INT = "tag:yaml.org,2002:int";
const FLOAT = "tag:yaml.org,2002:float";

/** PyYAML's implicit resolvers, per tag and the YAML package's format of it. */
const PY_TESTS: Record<string, RegExp> = {
  "tag:yaml.org,2002:bool/true": /^(?:[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/,
  "tag:yaml.org,2002:bool/false": /^(?:[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/,
  [`${INT}/`]: /^[-+]?(?:0|[1-9][0-9_]*)$/,
  [`${INT}/TIME`]: /^[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+$/,
  [`${FLOAT}/`]: /^(?:[-+]?[0-9][0-9_]*\.[0-9_]*|\.[0-9][0-9_]*)$/,
  [`${FLOAT}/EXP`]: /^(?:[-+]?[0-9][0-9_]*\.[0-9_]*|\.[0-9][0-9_]*)[eE][-+][0-9]+$/,
};

function pyTags(tags: Tag[], text: boolean): Tag[] {
  return tags.map((t) => {
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
    // The YAML package tells its tags apart by format, and the two booleans and .inf/.nan by test.
    const kind = t.tag === "tag:yaml.org,2002:bool"
      ? (t.test?.test("true") ? "true" : "false")
      : t.format ?? (t.test?.test(".nan") ? "NAN" : "");
    const test = PY_TESTS[`${t.tag}/${kind}`] ?? t.test;
    const resolve = t.resolve;
    if (!text || t.tag !== FLOAT || !resolve) return { ...t, test };
    // Kept as a float (not a number, which would print 1.0 as 1) where it becomes text.
    return {
      ...t,
      test,
      identify: (v: unknown) => v instanceof PyFloat,
      resolve: (s: string, onError: (msg: string) => void, options: unknown) => {
        const r = resolve(s, onError, options);
        return new PyFloat(typeof r === "number" ? r : Number((r as { value: unknown }).value));
      },
    };
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
  /**
   * Values that become text (`env/envvars`, `env/passwords`): floats as PyFloat and integers
   * as BigInt, so that Python's `str()` of them can be written (pythonStr), and a mapping's
   * keys already in that text (pythonKeyedMapping).
   */
  pythonText?: boolean;
}

/**
 * A JSON document as Python's `json.loads` reads it, which ansible-runner tries before YAML:
 * `1e2` is a number there (a float), where YAML 1.1 reads text. With `pythonText`, a number
 * with a fraction or exponent is a PyFloat (`1.0` stays `1.0`) and a long integer a BigInt.
 * Undefined when the text is not JSON.
 */
function parseJson(text: string, pythonText: boolean): unknown {
  // Only a mapping matters in env/ (other JSON reads the same as YAML, or is refused as no
  // mapping); YAML files are not made to throw.
  if (text.trimStart()[0] !== "{") return undefined;
  try {
    return JSON.parse(text, (_key: string, value: unknown, context?: { source?: string }) => {
      if (!pythonText || typeof value !== "number" || context?.source === undefined) return value;
      return pythonJsonNumber(value, context.source);
    });
  } catch {
    return undefined;
  }
}

/**
 * Parses an env/ file as ansible-runner does: as JSON first (parseJson), else as YAML with
 * PyYAML's semantics. Rejects with an Error on bad syntax and, as safe_load does, on a tag it
 * does not know (the parser would only warn, on stderr).
 */
export async function parseYaml(text: string, opts: YamlOptions = {}): Promise<unknown> {
  if (text.trim() === "") return null; // what safe_load gives, without loading the parser
  const json = parseJson(text, !!opts.pythonText);
  if (json !== undefined) return json;
  const flat = parseFlatYaml(text);
  if (flat !== undefined) return flat;
  const { default: YAML } = await import("yaml");
  const tags = (
    defaults: Tag[],
  ) => [...pyTags(defaults, !!opts.pythonText), ...(opts.ansibleTags ? ANSIBLE_TAGS : [])];
  const doc = YAML.parseDocument(text, {
    version: "1.1",
    uniqueKeys: false,
    intAsBigInt: !!opts.pythonText,
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
  const toJS = { maxAliasCount: 1000, mapAsMap: !!opts.pythonText };
  if (!opts.pythonText || !YAML.isMap(doc.contents)) return doc.toJS(toJS);
  // Keys as Python's str() writes them (`yes:` is `True`), which a plain object cannot tell;
  // pair by pair, in the file's order, as Python's dict takes them.
  const js = (node: unknown) => YAML.isNode(node) ? node.toJS(doc, toJS) : node;
  return pythonKeyedMapping(doc.contents.items.map((pair) => [js(pair.key), js(pair.value)]));
}
