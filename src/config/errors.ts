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
