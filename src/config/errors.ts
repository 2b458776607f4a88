/** A problem with the job's inputs: names the file (and key) and what is wrong. */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly key?: string,
  ) {
    super(
      [file, key !== undefined ? `key '${key}'` : undefined, message].filter(Boolean).join(": "),
    );
    this.name = "ConfigError";
  }
}

/**
 * A failure of this node's own file system, already said in words (what, where, why): the
 * command line prints its message as it is, with no stack.
 */
export class LocalIoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LocalIoError";
  }
}

/**
 * Deno's file system error message, "reason (os error N): op 'path'", as its parts; the whole
 * message is the reason when it has another form. Pure.
 */
export function osError(message: string): { reason: string; op?: string } {
  const m = OS_ERROR.exec(message);
  return m ? { reason: m[1], op: m[2] } : { reason: message };
}

/** The reason of an operating system error's message (a full disk…); null for another. Pure. */
export function osFailure(message: string): string | null {
  return OS_ERROR.exec(message)?.[1] ?? null;
}

const OS_ERROR = /^(.*?) \(os error \d+\)(?:: (.*))?$/s;
