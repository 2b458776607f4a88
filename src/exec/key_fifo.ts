/**
 * The ssh key's way to ssh-add: a 0600 FIFO that ssh-add opens as if it were the key file, so
 * the key never lands on disk, only in the pipe's buffer (as ansible-runner feeds it).
 */
import { cstr, errno, libc } from "./libc.ts";

/** A FIFO being fed the key. */
export interface KeyFifo {
  path: string;
  /** Ends the feeding (draining the FIFO if nothing read it) and removes the FIFO. */
  close(): Promise<void>;
}

const REASONS: Record<number, string> = {
  2: "its directory does not exist",
  13: "permission denied",
  17: "something is in the way",
  28: "no space left on device",
  30: "read-only file system",
};

/** Makes a 0600 FIFO at `path` and writes `key` into it once a reader opens it. */
export async function feedKeyThroughFifo(path: string, key: string): Promise<KeyFifo> {
  // One left by a runner killed outright while it was being fed (the name is runner's own).
  await Deno.remove(path).catch(() => {});
  if (libc().mkfifo(cstr(path), 0o600) !== 0) {
    const e = errno();
    throw new Error(`cannot create the ssh key FIFO ${path}: ${REASONS[e] ?? `errno ${e}`}`);
  }
  let opened = false;
  const writer = (async () => {
    const f = await Deno.open(path, { write: true }); // waits for the reader
    opened = true;
    try {
      await f.write(new TextEncoder().encode(key.endsWith("\n") ? key : key + "\n"));
    } finally {
      f.close();
    }
  })().catch(() => {});
  return {
    path,
    async close() {
      // If nothing ever opened it, open it ourselves so the pending writer finishes (opening
      // a FIFO with no writer would wait forever: only while the writer waits for a reader).
      if (!opened) {
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
