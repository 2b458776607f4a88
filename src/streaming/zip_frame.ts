/** A directory on the wire: `{"zipfile": N}` then the base64 of the N-byte zip, no newline. */
import { dirname, join } from "../runtime/path.ts";
import { LocalIoError, osFailure } from "../config/errors.ts";
import { tempDirBase } from "../runtime/fs_sync.ts";
import { Base64Decoder, Base64Encoder, base64Length } from "./base64.ts";
import { type ByteReader, TruncatedStream } from "./byte_reader.ts";
import { type SyncWriter, WireError, writeBytes, writeLine } from "./wire.ts";
import { type ExtraEntry, zipDirectory } from "./zip_out.ts";
import { extractZip } from "./zip_in.ts";
import { breathe, collectGarbage, GcBudget } from "../runtime/gc.ts";

const CHUNK = 1 << 16;
/** Bytes of payload between two garbage collections (see collectGarbage). */
const GC_BYTES = 16 << 20;

/**
 * A zip could not be written where it waits (a full, missing or read-only temporary dir): this
 * node's trouble, not the stream's, and not that of the dir it comes from or goes to.
 */
export class ScratchWriteError extends LocalIoError {
  constructor(dir: string, reason: string) {
    super(`cannot write a zip into ${dir} (the temporary dir): ${reason}`);
    this.name = "ScratchWriteError";
  }
}

async function withTempFile<T>(fn: (path: string) => Promise<T>): Promise<T> {
  let dir: string;
  try {
    dir = await Deno.makeTempDir({ prefix: "runner_zip_" });
  } catch (e) {
    const reason = osFailure((e as Error).message);
    if (reason === null) throw e;
    throw new ScratchWriteError(tempDirBase(), reason);
  }
  try {
    return await fn(join(dir, "data.zip"));
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** Zips `dir` and writes it as a zipfile frame. */
export function sendDirectory(
  out: SyncWriter,
  dir: string,
  extra: ExtraEntry[] = [],
): Promise<void> {
  return withTempFile(async (zipPath) => {
    const size = await zipDirectory(dir, zipPath, extra);
    // Each phase starts from a collected heap, so their garbage never adds up.
    collectGarbage();
    writeLine(out, { zipfile: size });
    const file = Deno.openSync(zipPath);
    const encoder = new Base64Encoder();
    try {
      // Synchronous reads into one buffer (an async read copies through a fresh native
      // buffer on a pool thread each time).
      const buf = new Uint8Array(CHUNK * 3);
      for (let sent = 0;;) {
        const n = file.readSync(buf);
        if (n === null) break;
        writeBytes(out, encoder.push(buf.subarray(0, n)));
        sent += n;
        if (sent >= GC_BYTES) {
          sent = 0;
          await breathe();
        }
      }
      writeBytes(out, encoder.end());
    } finally {
      file.close();
    }
  });
}

/** Reads a zipfile frame's payload of `size` bytes and extracts it safely into `target`. */
export function receiveDirectory(
  reader: ByteReader,
  size: number,
  target: string,
): Promise<number> {
  return withTempFile(async (zipPath) => {
    const file = await Deno.open(zipPath, { write: true, create: true, mode: 0o600 });
    const decoder = new Base64Decoder();
    const encoded = base64Length(size);
    let read = 0;
    let written = 0;
    try {
      // Input chunks live off the V8 heap; without collecting, a large payload piles up unfreed.
      const gc = new GcBudget(GC_BYTES);
      await reader.readExact(encoded, (chunk) => {
        read += chunk.length;
        const bytes = decoder.push(chunk);
        written += bytes.length;
        writeBytes(file, bytes);
        gc.add(chunk.length);
      });
      decoder.end();
    } catch (e) {
      if (e instanceof TruncatedStream) {
        // Said in the sender's terms: the zip's size is what the zipfile line announced.
        throw new WireError(
          `the stream ended inside the zip payload: ${read} of the ${encoded} base64 characters ` +
            `of a ${size}-byte zip arrived`,
        );
      }
      const reason = osFailure((e as Error).message);
      if (reason !== null) throw new ScratchWriteError(dirname(zipPath), reason);
      throw new WireError(`bad zip payload: ${(e as Error).message}`);
    } finally {
      file.close();
    }
    if (written !== size) {
      throw new WireError(`zip payload decodes to ${written} bytes, ${size} announced`);
    }
    collectGarbage();
    const count = await extractZip(zipPath, target);
    collectGarbage();
    return count;
  });
}
