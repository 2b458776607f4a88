/** The I/O around a container job: the ssh key's FIFO and removing a stopped job's container. */

/** A FIFO being fed the key: the key never lands on disk, only in the pipe's buffer. */
export interface KeyFifo {
  path: string;
  close(): Promise<void>;
}

/** Makes a 0600 FIFO at `path` and writes `key` into it once the container's ssh-add opens it. */
export async function feedKeyThroughFifo(path: string, key: string): Promise<KeyFifo> {
  const made = await new Deno.Command("mkfifo", { args: ["-m", "600", path] }).output();
  if (!made.success) throw new Error(`cannot create the ssh key FIFO ${path}`);
  const writer = (async () => {
    const f = await Deno.open(path, { write: true }); // waits for the reader
    try {
      await f.write(new TextEncoder().encode(key.endsWith("\n") ? key : key + "\n"));
    } finally {
      f.close();
    }
  })().catch(() => {});
  return {
    path,
    async close() {
      // If nothing ever read it, open it ourselves so the pending writer finishes.
      const settled = await Promise.race([writer.then(() => true), Promise.resolve(false)]);
      if (!settled) {
        try {
          const r = await Deno.open(path, { read: true });
          await new Response(r.readable).arrayBuffer();
        } catch { /* already removed by the job */ }
      }
      await writer;
      await Deno.remove(path).catch(() => {});
    },
  };
}

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
