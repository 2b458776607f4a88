/** Removing a stopped job's container. */
/** Removes (and kills) a job's container after a timeout or cancel; errors are only logged. */
export async function removeContainer(
  engine: string,
  name: string,
  log: (m: string) => void,
): Promise<void> {
  try {
    const out = await new Deno.Command(engine, {
      args: ["rm", "-f", name],
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!out.success) {
      log(`${engine} rm -f ${name}: ${new TextDecoder().decode(out.stderr).trim()}`);
    }
  } catch (e) {
    log(`${engine} rm -f ${name}: ${(e as Error).message}`);
  }
}
