/**
 * The `env/settings` schema: every key ansible-runner documents, typed and validated once
 * where the file is read. Unknown keys are reported as warnings, not errors, so settings
 * written for a newer runner still work.
 */
import { ConfigError } from "./errors.ts";
import { PyFloat, PyTimestamp } from "./py_scalars.ts";

type Kind = "seconds" | "number" | "bool" | "string" | "paths" | "strings" | "map";

const SCHEMA = {
  idle_timeout: "seconds",
  job_timeout: "seconds",
  pexpect_timeout: "seconds",
  pexpect_use_poll: "bool",
  subprocess_timeout: "seconds",
  suppress_ansi_output: "bool",
  suppress_output_file: "bool",
  suppress_ansible_output: "bool",
  fact_cache: "string",
  fact_cache_type: "string",
  process_isolation: "bool",
  process_isolation_executable: "string",
  process_isolation_path: "string",
  process_isolation_hide_paths: "paths",
  process_isolation_show_paths: "paths",
  process_isolation_ro_paths: "paths",
  directory_isolation_base_path: "string",
  directory_isolation_cleanup: "bool",
  container_image: "string",
  container_volume_mounts: "strings",
  container_options: "strings",
  container_auth_data: "map",
  resource_profiling: "bool",
  resource_profiling_base_cgroup: "string",
  resource_profiling_cpu_poll_interval: "number",
  resource_profiling_memory_poll_interval: "number",
  resource_profiling_pid_poll_interval: "number",
  resource_profiling_results_dir: "string",
  runner_http_url: "string",
  runner_http_path: "string",
  runner_http_headers: "map",
} as const satisfies Record<string, Kind>;

type KindType<K extends Kind> = K extends "seconds" | "number" ? number
  : K extends "bool" ? boolean
  : K extends "string" ? string
  : K extends "paths" | "strings" ? string[]
  : Record<string, unknown>;

/** Validated settings: only keys that were present. */
export type Settings = { -readonly [K in keyof typeof SCHEMA]?: KindType<(typeof SCHEMA)[K]> };

/** Keys the schema knows, for documentation and help. */
export const SETTINGS_KEYS: readonly string[] = Object.keys(SCHEMA);

const KIND_TEXT: Record<Kind, string> = {
  seconds: "a non-negative number of seconds",
  number: "a positive number",
  bool: "true or false",
  string: "a string",
  paths: "a path or a list of paths",
  strings: "a list of strings",
  map: "a mapping",
};

function coerce(kind: Kind, value: unknown): unknown {
  switch (kind) {
    case "seconds":
      return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;
    case "number":
      return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : undefined;
    case "bool":
      return typeof value === "boolean" ? value : undefined;
    case "string":
      return typeof value === "string" ? value : undefined;
    case "paths":
      if (typeof value === "string") return [value];
      return Array.isArray(value) && value.every((v) => typeof v === "string") ? value : undefined;
    case "strings":
      return Array.isArray(value) && value.every((v) => typeof v === "string") ? value : undefined;
    case "map":
      return isMapping(value) ? value : undefined;
  }
}

/**
 * Validates a parsed settings document. `null` values mean "not set" (as in the reference).
 * Returns the settings and one warning per unknown key.
 */
export function validateSettings(
  doc: unknown,
  file = "env/settings",
): { settings: Settings; warnings: string[] } {
  if (doc === null || doc === undefined) return { settings: {}, warnings: [] };
  if (!isMapping(doc)) {
    throw new ConfigError("must be a mapping of setting names to values", file);
  }
  const settings: Record<string, unknown> = {};
  const warnings: string[] = [];
  for (const [key, value] of Object.entries(doc)) {
    const kind = (SCHEMA as Record<string, Kind>)[key];
    if (!kind) {
      warnings.push(`${file}: unknown setting '${key}' ignored`);
      continue;
    }
    if (value === null) continue;
    const v = coerce(kind, value);
    if (v === undefined) {
      throw new ConfigError(`expected ${KIND_TEXT[kind]}, got ${describe(value)}`, file, key);
    }
    settings[key] = v;
  }
  return { settings: settings as Settings, warnings };
}

/** Whether a parsed YAML/JSON value is a mapping (not a list, a timestamp or `!!binary`). */
export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) &&
    !(value instanceof PyTimestamp) && !(value instanceof PyFloat) && !ArrayBuffer.isView(value);
}

/** A short description of a bad value for error messages. */
export function describe(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value instanceof PyTimestamp) return `a timestamp ${value.text}`;
  if (ArrayBuffer.isView(value)) return "binary data (!!binary)";
  if (value instanceof PyFloat || typeof value === "bigint") return `number ${value}`;
  if (typeof value === "object" && value !== null) return "a mapping";
  const text = JSON.stringify(value) ?? String(value);
  return `${typeof value} ${text.length > 40 ? text.slice(0, 40) + "…" : text}`;
}

/** A settings key in camelCase (`idle_timeout` → `idleTimeout`), as the library API takes them. */
export function camelCase(key: string): string {
  return key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Settings given as camelCase options (library API), in their env/settings names. Pure. */
export function settingsFromCamelCase(options: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of SETTINGS_KEYS) {
    const value = options[camelCase(key)];
    if (value !== undefined) out[key] = value;
  }
  return out;
}
