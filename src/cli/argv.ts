/**
 * Puts the subcommand first, so both orders the ansible-runner docs show work:
 * `runner run DIR -p x.yml` and `runner -p x.yml run DIR`. Pure.
 */

/**
 * Moves the first token naming a command (and not the value of a preceding option) to the
 * front. `valueFlags` lists the options that take a separate value.
 */
export function commandFirst(
  argv: string[],
  commands: readonly string[],
  valueFlags: ReadonlySet<string>,
): string[] {
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i];
    if (tok === "--") return argv;
    if (tok.startsWith("-")) {
      if (!tok.includes("=") && valueFlags.has(tok)) i++;
      continue;
    }
    if (commands.includes(tok)) return [tok, ...argv.slice(0, i), ...argv.slice(i + 1)];
    return argv; // a positional before any command: leave it for the parser to reject
  }
  return argv;
}
