/**
 * Zipping a directory for the wire: deflated entries (ZIP64 where sizes need it), Unix modes
 * and mtimes kept, symlinks stored as links, FIFOs, sockets and devices skipped. Memory stays
 * flat: small files are read whole, large ones streamed through a deflate stream.
 */
import { breathe } from "../runtime/gc.ts";
import { join } from "../runtime/path.ts";
import { crc32 } from "./crc32.ts";
import { Deflater } from "./deflate.ts";
import {
  centralHeader,
  dataDescriptor,
  endRecords,
  FLAG_DESCRIPTOR,
  FLAG_UTF8,
  localHeader,
  METHOD_DEFLATE,
  METHOD_STORE,
} from "./zip_format.ts";

/** Files up to this size are read and deflated in one piece, in reused buffers (Deflater). */
const WHOLE = 1 << 18;
/** Entries that might pass 4 GiB get ZIP64 fields from the start. */
const ZIP64_AT = 0xffff0000;

/** Buffers small writes into large ones; tracks the offset. */
class Output {
  #file: Deno.FsFile;
  #buf = new Uint8Array(1 << 18);
  #len = 0;
  offset = 0;
  constructor(file: Deno.FsFile) {
    this.#file = file;
  }
  write(b: Uint8Array): void {
    this.offset += b.length;
    if (this.#len + b.length > this.#buf.length) this.flush();
    if (b.length >= this.#buf.length) return writeAll(this.#file, b);
    this.#buf.set(b, this.#len);
    this.#len += b.length;
  }
  flush(): void {
    writeAll(this.#file, this.#buf.subarray(0, this.#len));
    this.#len = 0;
  }
}

/** The central directory as it grows: one buffer, not an array per entry. */
class Central {
  #buf = new Uint8Array(1 << 16);
  #len = 0;
  push(b: Uint8Array): void {
    if (this.#len + b.length > this.#buf.length) {
      const bigger = new Uint8Array(Math.max(this.#buf.length * 2, this.#len + b.length));
      bigger.set(this.#buf.subarray(0, this.#len));
      this.#buf = bigger;
    }
    this.#buf.set(b, this.#len);
    this.#len += b.length;
  }
  get bytes(): Uint8Array {
    return this.#buf.subarray(0, this.#len);
  }
}

function writeAll(f: Deno.FsFile, b: Uint8Array): void {
  for (let o = 0; o < b.length;) o += f.writeSync(b.subarray(o));
}

/** Reads the next piece of an open file into `buf` (full unless at the end; empty at EOF). */
function readPiece(f: Deno.FsFile, buf: Uint8Array): Uint8Array {
  let n = 0;
  while (n < buf.length) {
    const r = f.readSync(buf.subarray(n));
    if (r === null || r === 0) break;
    n += r;
  }
  return buf.subarray(0, n);
}

/** Reads a small file into the shared buffer (no allocation per file). */
function readSmall(path: string, buf: Uint8Array): Uint8Array {
  const f = Deno.openSync(path);
  try {
    return readPiece(f, buf);
  } finally {
    f.close();
  }
}

interface Walked {
  rel: string;
  full: string;
  info: Deno.FileInfo;
}

function* walk(root: string, rel = ""): Generator<Walked> {
  const names = [...Deno.readDirSync(rel ? join(root, rel) : root)].map((e) => e.name).sort();
  for (const name of names) {
    const r = rel ? `${rel}/${name}` : name;
    const full = join(root, r);
    const info = Deno.lstatSync(full);
    yield { rel: r, full, info };
    if (info.isDirectory) yield* walk(root, r);
  }
}

/** A file added to the zip that is not on disk. */
export interface ExtraEntry {
  name: string;
  data: Uint8Array;
}

/** Writes a zip of `dir` (plus `extra` entries) to `zipPath` (0600); resolves to its size. */
export async function zipDirectory(
  dir: string,
  zipPath: string,
  extra: ExtraEntry[] = [],
): Promise<number> {
  const file = Deno.openSync(zipPath, { write: true, create: true, truncate: true, mode: 0o600 });
  const out = new Output(file);
  const central = new Central();
  const enc = new TextEncoder();
  let count = 0;
  const readBuf = new Uint8Array(WHOLE);
  const deflater = new Deflater();
  try {
    for (const { rel, full, info } of walk(dir)) {
      const mtime = info.mtime ?? new Date();
      const perm = (info.mode ?? 0o644) & 0o7777;
      let entryName = rel;
      let mode: number;
      let data: Uint8Array | null = null;
      if (info.isSymlink) {
        mode = 0o120777;
        data = enc.encode(Deno.readLinkSync(full));
      } else if (info.isDirectory) {
        mode = 0o040000 | perm;
        entryName += "/";
        data = new Uint8Array(0);
      } else if (info.isFile) {
        mode = 0o100000 | perm;
        if (info.size <= WHOLE) data = readSmall(full, readBuf);
      } else continue; // FIFOs, sockets and devices are not data
      const name = enc.encode(entryName);
      const offset = out.offset;
      // The work is synchronous; let timers and signals (cancel) in now and then.
      if (++count % 2048 === 0) await breathe();
      if (data !== null) {
        // Known content: sizes and CRC go in the local header, no descriptor needed.
        const deflate = !info.isDirectory && !info.isSymlink && data.length > 0;
        const body = deflate ? deflater.deflate(data) : data;
        const compressedSize = body.length;
        const method = deflate ? METHOD_DEFLATE : METHOD_STORE;
        const crc = crc32(data);
        out.write(
          localHeader({
            name,
            method,
            descriptor: false,
            zip64: false,
            crc,
            compressedSize,
            size: data.length,
            mtime,
          }),
        );
        out.write(body);
        central.push(
          centralHeader({
            name,
            method,
            flags: FLAG_UTF8,
            crc,
            compressedSize,
            size: data.length,
            offset,
            mode,
            mtime,
          }),
        );
        continue;
      }
      // Large file: streamed; sizes and CRC follow in a data descriptor.
      const zip64 = info.size >= ZIP64_AT;
      out.write(
        localHeader({
          name,
          method: METHOD_DEFLATE,
          descriptor: true,
          zip64,
          crc: 0,
          compressedSize: 0,
          size: 0,
          mtime,
        }),
      );
      let crc = 0;
      let size = 0;
      let compressedSize = 0;
      // Deflated in pieces of WHOLE bytes through the same reused buffers: nothing piles up.
      const src = Deno.openSync(full);
      try {
        deflater.reset();
        for (;;) {
          const piece = readPiece(src, readBuf);
          crc = crc32(piece, crc);
          size += piece.length;
          const body = deflater.piece(piece, piece.length === 0);
          compressedSize += body.length;
          out.write(body);
          if (piece.length === 0) break;
        }
      } finally {
        src.close();
      }
      const z = zip64 || size >= ZIP64_AT || compressedSize >= ZIP64_AT;
      out.write(dataDescriptor(crc, compressedSize, size, z));
      central.push(
        centralHeader({
          name,
          method: METHOD_DEFLATE,
          flags: FLAG_UTF8 | FLAG_DESCRIPTOR,
          crc,
          compressedSize,
          size,
          offset,
          mode,
          mtime,
        }),
      );
    }
    for (const e of extra) {
      const name = enc.encode(e.name);
      const offset = out.offset;
      const body = deflater.deflate(e.data);
      const compressedSize = body.length;
      const crc = crc32(e.data);
      const mtime = new Date();
      count++;
      out.write(
        localHeader({
          name,
          method: METHOD_DEFLATE,
          descriptor: false,
          zip64: false,
          crc,
          compressedSize,
          size: e.data.length,
          mtime,
        }),
      );
      out.write(body);
      central.push(
        centralHeader({
          name,
          method: METHOD_DEFLATE,
          flags: FLAG_UTF8,
          crc,
          compressedSize,
          size: e.data.length,
          offset,
          mode: 0o100644,
          mtime,
        }),
      );
    }
    const cdOffset = out.offset;
    out.write(central.bytes);
    out.write(endRecords(count, cdOffset, out.offset - cdOffset));
    out.flush();
    return out.offset;
  } finally {
    file.close();
  }
}
