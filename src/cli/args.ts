/**
 * A small command-line parser with Python argparse's grammar, which ansible-runner's users
 * type: `--flag value`, `--flag=value`, `-p value`, `-pvalue`, combined short flags (`-vvv`,
 * `-jq`), unique prefixes of long flags, `--` before positionals, `nargs='*'` lists, repeated
 * (`append`) options and one level of sub-subcommands (`worker cleanup`). Pure: it turns a
 * spec and argv into a namespace, a help text or a usage error. Written here because the npm
 * port of argparse starts Deno's Node compatibility layer, which costs every command ~10 MiB
 * and ~10 ms before it does anything.
 * @module
 */

/** How an option consumes the command line. */
export type OptionAction = "store" | "store_true" | "count" | "append" | "list";

/** One option (flag). */
export interface OptionSpec {
  /** Its spellings, e.g. `["-p", "--playbook"]`. */
  flags: string[];
  /** The namespace key; default: the long flag in snake_case. */
  dest?: string;
  /** `store` (default), `store_true`, `count`, `append` (repeatable) or `list` (nargs '*'). */
  action?: OptionAction;
  /** Converts the value; a bad value is a usage error. */
  type?: "int" | "float";
  default?: unknown;
  /** The value's name in help (default: dest in upper case). */
  metavar?: string;
  help?: string;
}

/** A positional argument (always required). */
export interface PositionalSpec {
  dest: string;
  metavar: string;
  help?: string;
}

/** Options shown together in help. */
export interface OptionGroup {
  title: string;
  description?: string;
  options: OptionSpec[];
  /** Parsed, but help shows only the title and description (options accepted for another
   * program's command lines, listed where they have an effect). */
  unlisted?: boolean;
}

/** A command, or a subcommand of one. */
export interface CommandSpec {
  name: string;
  /** One line for the parent's command list. */
  summary: string;
  description: string;
  positionals: PositionalSpec[];
  groups: OptionGroup[];
  /** Optional subcommands, chosen by the first positional (e.g. `worker cleanup`). */
  subcommands?: CommandSpec[];
  /** The namespace key naming the chosen subcommand. */
  subcommandDest?: string;
  /** Sets of options (by dest) of which one command line may give only one (argparse's
   * mutually exclusive groups). */
  exclusive?: string[][];
  /** Takes `--version` too, as every command of ansible-runner does. */
  version?: boolean;
}

/** The whole program. */
export interface ProgramSpec {
  prog: string;
  description: string;
  epilog: string;
  version: string;
  commands: CommandSpec[];
}

/** What the command line asked for. */
export type ParseResult =
  | { kind: "run"; args: Record<string, unknown> }
  | { kind: "help"; text: string }
  | { kind: "version"; text: string };

/** A command line that does not fit the spec; `usage` is the command's usage line. */
export class UsageError extends Error {
  constructor(readonly usage: string, readonly prog: string, message: string) {
    super(message);
    this.name = "UsageError";
  }

  /** The text argparse prints on stderr before exiting with status 2. */
  render(): string {
    return `${this.usage}\n${this.prog}: error: ${this.message}\n`;
  }
}

const VERSION_HELP = "show the version and exit";

const HELP: OptionSpec = {
  flags: ["-h", "--help"],
  action: "store_true",
  help: "show this help message and exit",
};

/** The key an option stores under. */
export function destOf(o: OptionSpec): string {
  if (o.dest) return o.dest;
  const long = o.flags.find((f) => f.startsWith("--")) ?? o.flags[0];
  return long.replace(/^-+/, "").replaceAll("-", "_");
}

/** How argparse's messages name an option: all its spellings. */
function nameOf(o: OptionSpec): string {
  return o.flags.join("/");
}

function takesValue(o: OptionSpec): boolean {
  const a = o.action ?? "store";
  return a === "store" || a === "append" || a === "list";
}

function metavarOf(o: OptionSpec): string {
  return o.metavar ?? destOf(o).toUpperCase();
}

/** Every flag, in any command of the program, that takes a separate value. */
export function valueFlags(spec: ProgramSpec): Set<string> {
  const out = new Set<string>();
  const visit = (c: CommandSpec) => {
    for (const g of c.groups) {
      for (const o of g.options) if (takesValue(o)) o.flags.forEach((f) => out.add(f));
    }
    c.subcommands?.forEach(visit);
  };
  spec.commands.forEach(visit);
  return out;
}

const NEGATIVE_NUMBER = /^-\d+$|^-\d*\.\d+$/;

/**
 * argparse's test (`_parse_optional`), with the command's flags: a token is an option when it
 * names one of them, whole, before an `=`, or as a prefix (`--cmd`, `-pfile`); otherwise unless it
 * is "-", a negative number or holds a space. So `--cmdline=--tags a -v` is an option with its
 * value, and `--skip-tags a` (one word with a space, as a value) is not.
 */
function looksLikeOption(tok: string, flags: readonly string[] = []): boolean {
  if (!tok.startsWith("-") || tok === "-") return false;
  if (flags.includes(tok)) return true;
  if (tok.startsWith("--")) {
    const name = tok.includes("=") ? tok.slice(0, tok.indexOf("=")) : tok;
    if (flags.some((f) => f.startsWith("--") && f.startsWith(name))) return true;
  } else if (tok[1] !== "-" && flags.some((f) => f === tok.slice(0, 2) || f.startsWith(tok))) {
    return true;
  }
  return !NEGATIVE_NUMBER.test(tok) && !tok.includes(" ");
}

function convert(o: OptionSpec, raw: string, fail: (m: string) => never): unknown {
  if (o.type === "int") {
    if (!/^[-+]?\d+$/.test(raw.trim())) {
      fail(`argument ${nameOf(o)}: invalid int value: '${raw}'`);
    }
    return Number(raw);
  }
  if (o.type === "float") {
    const n = Number(raw);
    if (raw.trim() === "" || Number.isNaN(n)) {
      fail(`argument ${nameOf(o)}: invalid float value: '${raw}'`);
    }
    return n;
  }
  return raw;
}

/** The usage line of `path` (the program, then command names). */
function usageLine(spec: ProgramSpec, path: CommandSpec[]): string {
  const cmd = path.at(-1);
  const words = [spec.prog, ...path.map((c) => c.name)];
  if (!cmd) return `usage: ${spec.prog} [-h] [--version] COMMAND ...`;
  const pos = cmd.positionals.map((p) => p.metavar);
  const sub = cmd.subcommands ? ["[SUBCOMMAND ...]"] : [];
  return `usage: ${[...words, "[-h]", "[options]", ...pos, ...sub].join(" ")}`;
}

/** Wraps `text` to `width` columns, each line indented by `indent`. */
function wrap(text: string, indent: number, width = 100): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && indent + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.map((l) => " ".repeat(indent) + l);
}

/** One help entry: the invocation, then the help text from column 26. */
function entry(invocation: string, help: string | undefined): string[] {
  const col = 26;
  const head = `  ${invocation}`;
  if (!help) return [head];
  const body = wrap(help, col);
  if (head.length + 2 <= col) return [head.padEnd(col) + body[0].trimStart(), ...body.slice(1)];
  return [head, ...body];
}

function invocationOf(o: OptionSpec): string {
  if (!takesValue(o)) return o.flags.join(", ");
  const mv = metavarOf(o);
  const value = (o.action === "list") ? `[${mv} ...]` : mv;
  return o.flags.map((f) => `${f} ${value}`).join(", ");
}

/** The help text of the program (`path` empty) or of a command. */
export function formatHelp(spec: ProgramSpec, path: CommandSpec[]): string {
  const cmd = path.at(-1);
  const out = [usageLine(spec, path), ""];
  if (!cmd) {
    out.push(...wrap(spec.description, 0), "", "commands:");
    for (const c of spec.commands) out.push(...entry(c.name, c.summary));
    out.push(
      "",
      "options:",
      ...entry("-h, --help", HELP.help),
      ...entry("--version", VERSION_HELP),
    );
    out.push("", spec.epilog);
    return out.join("\n") + "\n";
  }
  out.push(...wrap(cmd.description, 0));
  if (cmd.positionals.length) {
    out.push("", "positional arguments:");
    for (const p of cmd.positionals) out.push(...entry(p.metavar, p.help));
  }
  if (cmd.subcommands) {
    out.push("", "subcommands:");
    for (const s of cmd.subcommands) out.push(...entry(s.name, s.summary));
  }
  out.push("", "options:", ...entry(invocationOf(HELP), HELP.help));
  if (cmd.version) out.push(...entry("--version", VERSION_HELP));
  for (const g of cmd.groups) {
    if (g.title) out.push("", `${g.title}:`);
    if (g.description) out.push(...wrap(g.description, 2));
    if (g.unlisted) continue;
    for (const o of g.options) out.push(...entry(invocationOf(o), o.help));
  }
  return out.join("\n") + "\n";
}

/** Parses `argv` (the command first, see commandFirst) against `spec`. Throws UsageError. */
export function parseArgs(spec: ProgramSpec, argv: string[]): ParseResult {
  const top = (m: string): never => {
    throw new UsageError(usageLine(spec, []), spec.prog, m);
  };
  const first = argv[0];
  if (first === undefined) top("the following arguments are required: command");
  if (first === "-h" || first === "--help") return { kind: "help", text: formatHelp(spec, []) };
  if (first === "--version") return { kind: "version", text: `${spec.version}\n` };
  const cmd = spec.commands.find((c) => c.name === first);
  if (!cmd) {
    if (looksLikeOption(first)) top(`unrecognized arguments: ${first}`);
    top(
      `argument command: invalid choice: '${first}' (choose from ${
        spec.commands.map((c) => `'${c.name}'`).join(", ")
      })`,
    );
  }
  const args: Record<string, unknown> = { command: cmd!.name };
  return parseCommand(spec, [cmd!], argv.slice(1), args);
}

function parseCommand(
  spec: ProgramSpec,
  path: CommandSpec[],
  argv: string[],
  args: Record<string, unknown>,
): ParseResult {
  const cmd = path.at(-1)!;
  const prog = [spec.prog, ...path.map((c) => c.name)].join(" ");
  const fail = (m: string): never => {
    throw new UsageError(usageLine(spec, path), prog, m);
  };
  const options = cmd.groups.flatMap((g) => g.options);
  for (const o of options) {
    const key = destOf(o);
    if (key in args && o.default === undefined) continue;
    const a = o.action ?? "store";
    args[key] = o.default ?? (a === "store_true" ? false : a === "count" ? 0 : undefined);
  }
  if (cmd.subcommandDest) args[cmd.subcommandDest] = undefined;
  const byFlag = new Map<string, OptionSpec>();
  for (const o of options) for (const f of o.flags) byFlag.set(f, o);
  const longs = [...byFlag.keys()].filter((f) => f.startsWith("--"));
  const flags = [...byFlag.keys(), "-h", "--help", ...(cmd.version ? ["--version"] : [])];
  const isOption = (tok: string) => looksLikeOption(tok, flags);

  const findLong = (name: string): OptionSpec | null => {
    const exact = byFlag.get(name);
    if (exact) return exact;
    const matches = longs.filter((f) => f.startsWith(name));
    const distinct = [...new Set(matches.map((f) => byFlag.get(f)))];
    if (distinct.length > 1) fail(`ambiguous option: ${name} could match ${matches.join(", ")}`);
    return distinct[0] ?? null;
  };

  const positionals: string[] = [];
  const seen = new Set<OptionSpec>();
  const exclusive = (cmd.exclusive ?? []).map((dests) =>
    options.filter((o) => dests.includes(destOf(o)))
  );
  const taken = (o: OptionSpec) => {
    for (const group of exclusive) {
      if (!group.includes(o)) continue;
      const other = group.find((g) => g !== o && seen.has(g));
      if (other) fail(`argument ${nameOf(o)}: not allowed with argument ${nameOf(other)}`);
    }
    seen.add(o);
  };
  const store = (o: OptionSpec, raw: string) => {
    taken(o);
    const key = destOf(o);
    const value = convert(o, raw, fail);
    if (o.action === "append") args[key] = [...(args[key] as unknown[] ?? []), value];
    else args[key] = value;
  };
  const storeList = (o: OptionSpec, raws: string[]) => {
    taken(o);
    args[destOf(o)] = raws.map((raw) => convert(o, raw, fail));
  };
  const takeValue = (o: OptionSpec, i: number): number => {
    if (o.action === "list") {
      const raws: string[] = [];
      while (i + 1 < argv.length && !isOption(argv[i + 1]) && argv[i + 1] !== "--") {
        raws.push(argv[++i]);
      }
      storeList(o, raws);
      return i;
    }
    const next = argv[i + 1];
    if (next === undefined || isOption(next)) {
      fail(`argument ${nameOf(o)}: expected one argument`);
    }
    store(o, next);
    return i + 1;
  };
  const setFlag = (o: OptionSpec) => {
    taken(o);
    const key = destOf(o);
    if (o.action === "count") args[key] = (args[key] as number ?? 0) + 1;
    else args[key] = true;
  };

  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i];
    if (tok === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (tok === "-h" || tok === "--help") return { kind: "help", text: formatHelp(spec, path) };
    if (tok === "--version" && cmd.version) return { kind: "version", text: `${spec.version}\n` };
    if (!isOption(tok)) {
      if (cmd.subcommands && positionals.length === cmd.positionals.length) {
        const sub = cmd.subcommands.find((s) => s.name === tok);
        if (!sub) {
          fail(
            `argument ${cmd.subcommandDest}: invalid choice: '${tok}' (choose from ${
              cmd.subcommands.map((s) => `'${s.name}'`).join(", ")
            })`,
          );
        }
        args[cmd.subcommandDest!] = sub!.name;
        checkPositionals(cmd, positionals, args, fail);
        return parseCommand(spec, [...path, sub!], argv.slice(i + 1), args);
      }
      positionals.push(tok);
      continue;
    }
    if (tok.startsWith("--")) {
      const eq = tok.indexOf("=");
      const name = eq < 0 ? tok : tok.slice(0, eq);
      const o = findLong(name);
      if (!o) fail(`unrecognized arguments: ${tok}`);
      if (eq >= 0) {
        if (!takesValue(o!)) {
          fail(`argument ${nameOf(o!)}: ignored explicit argument '${tok.slice(eq + 1)}'`);
        }
        if (o!.action === "list") storeList(o!, [tok.slice(eq + 1)]);
        else store(o!, tok.slice(eq + 1));
      } else if (takesValue(o!)) i = takeValue(o!, i);
      else setFlag(o!);
      continue;
    }
    // Short flags: `-vvv`, `-jq`, `-pfile.yml`, `-p file.yml`.
    for (let k = 1; k < tok.length; k++) {
      const flag = `-${tok[k]}`;
      const o = byFlag.get(flag);
      if (!o) fail(`unrecognized arguments: ${k === 1 ? tok : flag}`);
      if (!takesValue(o!)) {
        setFlag(o!);
        continue;
      }
      const rest = tok.slice(k + 1).replace(/^=/, "");
      if (rest) {
        if (o!.action === "list") storeList(o!, [rest]);
        else store(o!, rest);
      } else i = takeValue(o!, i);
      break;
    }
  }
  checkPositionals(cmd, positionals, args, fail);
  return { kind: "run", args };
}

function checkPositionals(
  cmd: CommandSpec,
  given: string[],
  args: Record<string, unknown>,
  fail: (m: string) => never,
): void {
  const missing = cmd.positionals.slice(given.length).map((p) => p.metavar);
  if (missing.length) fail(`the following arguments are required: ${missing.join(", ")}`);
  if (given.length > cmd.positionals.length) {
    fail(`unrecognized arguments: ${given.slice(cmd.positionals.length).join(" ")}`);
  }
  cmd.positionals.forEach((p, i) => args[p.dest] = given[i]);
}
