/**
 * Reading the private data dir's `env/` files: envvars, extravars, passwords, cmdline,
 * ssh_key and settings. Each may be a regular file or a named pipe. Everything is read and
 * validated before the job touches the artifact dir, so bad input leaves nothing half written.
 */
import { join } from "../runtime/path.ts";
import { ConfigError } from "./errors.ts";
import type { PromptRule } from "../exec/expect.ts";
import { compilePythonRegex } from "./py_regex.ts";
import { describe, isMapping, type Settings, validateSettings } from "./settings.ts";
import { pythonStr } from "./py_scalars.ts";
import { shlexSplit } from "./shlex.ts";
import { parseYaml, type YamlOptions } from "./yaml.ts";

/** Everything `env/` holds, validated. */
export interface EnvInputs {
  envvars: Record<string, string>;
  /** extravars as text; `fromPipe` when it came from a FIFO (so it must be copied to pass it on). */
  extravars: { path: string; text: string; fromPipe: boolean } | null;
  prompts: PromptRule[];
  /** Values that must never reach an artifact or a log. */
  secrets: string[];
  cmdline: string[] | null;
  sshKey: string | null;
  settings: Settings;
  warnings: string[];
}

/**
 * Reads `env/<name>`; null when absent. Follows symlinks; accepts regular files and FIFOs.
 * A regular file is read synchronously: a job's start waits on these reads, and each
 * asynchronous call costs a trip through Deno's thread pool. A FIFO is read asynchronously,
 * as its writer may take its time.
 */
export async function readEnvFile(pdd: string, name: string): Promise<
  { path: string; text: string; fromPipe: boolean } | null
> {
  const path = join(pdd, "env", name);
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw new ConfigError(`cannot read: ${(e as Error).message}`, `env/${name}`);
  }
  if (!info.isFile && !info.isFifo) {
    throw new ConfigError("is neither a file nor a named pipe", `env/${name}`);
  }
  let bytes: Uint8Array;
  try {
    bytes = info.isFifo ? await Deno.readFile(path) : Deno.readFileSync(path);
  } catch (e) {
    throw new ConfigError(`cannot read: ${(e as Error).message}`, `env/${name}`);
  }
  return { path, text: utf8(bytes, `env/${name}`), fromPipe: !!info.isFifo };
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The file's text; bytes that are not UTF-8 are an error naming the line (as ansible-runner's
 * own read fails), not characters silently replaced in what reaches the job.
 */
function utf8(bytes: Uint8Array, file: string): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    let line = 1;
    for (let start = 0; start <= bytes.length; line++) {
      const nl = bytes.indexOf(10, start);
      const end = nl < 0 ? bytes.length : nl;
      try {
        strictUtf8.decode(bytes.subarray(start, end));
      } catch {
        break;
      }
      start = end + 1;
    }
    throw new ConfigError(`is not UTF-8 text (line ${line})`, file);
  }
}

async function parseMapping(
  text: string,
  file: string,
  opts: YamlOptions = {},
): Promise<Record<string, unknown> | null> {
  let doc: unknown;
  try {
    doc = await parseYaml(text, opts);
  } catch (e) {
    // The YAML package's first line ends where its excerpt of the file begins.
    const msg = (e as Error).message.split("\n")[0].replace(/:\s*$/, "");
    throw new ConfigError(`not valid YAML or JSON: ${msg}`, file);
  }
  if (doc === null || doc === undefined) return null;
  if (!isMapping(doc)) throw new ConfigError(`must be a mapping, got ${describe(doc)}`, file);
  return doc;
}

/** Python's str() of a YAML scalar, as ansible-runner turns envvars and passwords into text. */
function pyStr(value: unknown, file: string, key: string): string {
  const text = pythonStr(value);
  if (text !== undefined) return text;
  throw new ConfigError(`expected a string or number, got ${describe(value)}`, file, key);
}

/** How envvars and passwords are read: their values become text, as Python's str() writes it. */
const TEXT: YamlOptions = { pythonText: true };

/** Loads and validates everything under `env/`. */
export async function loadEnvInputs(pdd: string): Promise<EnvInputs> {
  const [envvarsF, extravarsF, passwordsF, cmdlineF, sshKeyF, settingsF] = await Promise.all(
    ["envvars", "extravars", "passwords", "cmdline", "ssh_key", "settings"].map((n) =>
      readEnvFile(pdd, n)
    ),
  );

  const envvars: Record<string, string> = {};
  for (
    const [k, v] of Object.entries(
      await parseMapping(envvarsF?.text ?? "", "env/envvars", TEXT) ?? {},
    )
  ) {
    envvars[k] = pyStr(v, "env/envvars", k);
  }

  // Ansible reads it itself, by path: Ansible's tags (AWX's !unsafe) are its business.
  if (extravarsF) await parseMapping(extravarsF.text, "env/extravars", { ansibleTags: true });

  const prompts: PromptRule[] = [];
  const secrets: string[] = [];
  const passwords = await parseMapping(passwordsF?.text ?? "", "env/passwords", TEXT) ?? {};
  for (const [pattern, value] of Object.entries(passwords)) {
    let re: RegExp;
    try {
      re = compilePythonRegex(pattern);
    } catch (e) {
      throw new ConfigError(
        `not a valid regular expression: ${(e as Error).message}`,
        "env/passwords",
        pattern,
      );
    }
    const answer = pyStr(value, "env/passwords", pattern);
    prompts.push({ pattern: re, answer });
    if (answer.length > 0) secrets.push(answer);
  }

  let cmdline: string[] | null = null;
  if (cmdlineF) {
    try {
      cmdline = shlexSplit(cmdlineF.text);
    } catch (e) {
      throw new ConfigError((e as Error).message, "env/cmdline");
    }
  }

  let sshKey: string | null = null;
  if (sshKeyF) {
    sshKey = sshKeyF.text;
    if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(sshKey)) {
      throw new ConfigError("does not hold a PEM or OpenSSH private key", "env/ssh_key");
    }
    for (const line of sshKey.split(/\r?\n/)) if (line.length >= 16) secrets.push(line);
  }

  const { settings, warnings } = validateSettings(
    settingsF ? await parseMapping(settingsF.text, "env/settings") : null,
  );

  return { envvars, extravars: extravarsF, prompts, secrets, cmdline, sshKey, settings, warnings };
}
