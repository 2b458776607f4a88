/**
 * Safe extraction of a wire zip into one directory. Nothing outside `target` is ever created,
 * modified, chmod-ed or touched: names with `..` or absolute paths, symlinks that lead out,
 * and entries that would be written through any symlink are refused before anything of them
 * is written.
 */
import { dirname, isAbsolute, join, normalize, resolve } from "../runtime/path.ts";
import { crc32 } from "./crc32.ts";
import { breathe } from "../runtime/gc.ts";
import { InflateBuffers, InflateError, inflateRaw, OVERFLOW } from "./inflate.ts";
import {
  CENTRAL_FIXED,
  type CentralEntry,
  centralRecordLength,
  findEnd,
  METHOD_DEFLATE,
  METHOD_STORE,
  parseCentralRecord,
  parseEnd64,
  SIG_LOCAL,
  ZipFormatError,
} from "./zip_format.ts";

/** A zip entry that must not be extracted. */
export class UnsafeEntry extends Error {
  constructor(name: string, why: string) {
    super(`refusing zip entry '${name}': ${why}`);
    this.name = "UnsafeEntry";
  }
}

/** Checks an entry name; returns its normalized relative path (no trailing slash). Pure. */
export function safeEntryPath(name: string): string {
  if (name.includes("\0")) throw new UnsafeEntry(name, "NUL in name");
  if (name.includes("\\")) throw new UnsafeEntry(name, "backslash in name");
  if (isAbsolute(name)) throw new UnsafeEntry(name, "absolute path");
  const parts = name.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes("..")) throw new UnsafeEntry(name, "'..' in path");
  if (parts.length === 0) throw new UnsafeEntry(name, "empty path");
  return parts.join("/");
}

/** True when the link at `linkRel` pointing to `target` stays inside the extraction root. Pure. */
export function linkStaysInside(linkRel: string, target: string): boolean {
  if (isAbsolute(target)) return false;
  const resolved = normalize(join(dirname(linkRel), target));
  return resolved !== ".." && !resolved.startsWith("../") && !isAbsolute(resolved);
}

function lstatOrNull(path: string): Deno.FileInfo | null {
  try {
    return Deno.lstatSync(path);
  } catch {
    return null;
  }
}

/**
 * Creates the parent dirs of `rel` under `root`, refusing to pass through any symlink.
 * `known` holds dirs already checked in this extraction (cleared whenever an entry removes
 * or links something), so each dir is looked at once, not once per file in it.
 */
function ensureParents(root: string, rel: string, name: string, known: Set<string>): void {
  const parts = rel.split("/").slice(0, -1);
  let cur = "";
  for (const p of parts) {
    cur = cur ? `${cur}/${p}` : p;
    if (known.has(cur)) continue;
    const full = join(root, cur);
    const st = lstatOrNull(full);
    if (st === null) Deno.mkdirSync(full, { mode: 0o700 });
    else if (st.isSymlink) throw new UnsafeEntry(name, `'${cur}' is a symlink`);
    else if (!st.isDirectory) throw new UnsafeEntry(name, `'${cur}' is not a directory`);
    known.add(cur);
  }
}

function readAt(file: Deno.FsFile, offset: number, length: number): Uint8Array {
  return readInto(file, offset, new Uint8Array(length));
}

/** Fills `buf` from `offset`; throws at end of file. */
function readInto(file: Deno.FsFile, offset: number, buf: Uint8Array): Uint8Array {
  const length = buf.length;
  file.seekSync(offset, Deno.SeekMode.Start);
  let n = 0;
  while (n < length) {
    const r = file.readSync(buf.subarray(n));
    if (r === null || r === 0) throw new ZipFormatError("unexpected end of zip data");
    n += r;
  }
  return buf;
}

/** Where the central directory is, checked to lie inside the file. */
interface Directory {
  count: number;
  cdOffset: number;
  cdSize: number;
}

/** Finds the central directory, checking that it lies inside the file. */
function findDirectory(file: Deno.FsFile, size: number): Directory {
  const tailLen = Math.min(size, 22 + 0xffff);
  if (tailLen < 22) throw new ZipFormatError("too short to be a zip file");
  let end = findEnd(readAt(file, size - tailLen, tailLen));
  if (end.eocd64At !== undefined) {
    if (end.eocd64At + 56 > size) throw new ZipFormatError("ZIP64 end record outside the file");
    end = parseEnd64(readAt(file, end.eocd64At, 56));
  }
  if (end.cdOffset + end.cdSize > size) {
    throw new ZipFormatError("central directory outside the file");
  }
  return end;
}

/**
 * The central directory's entries one at a time, read in blocks: memory stays flat however
 * many entries the zip has.
 */
function* centralEntries(file: Deno.FsFile, dir: Directory): Generator<CentralEntry> {
  const end = dir.cdOffset + dir.cdSize;
  let buf: Uint8Array = new Uint8Array(0);
  let bufAt = dir.cdOffset; // file offset of buf[0]
  let p = 0;
  const ensure = (n: number, record: number) => {
    if (p + n <= buf.length) return;
    const at = bufAt + p;
    if (at + n > end) throw new ZipFormatError(`central directory record ${record + 1} is damaged`);
    buf = readAt(file, at, Math.min(Math.max(n, 1 << 16), end - at));
    bufAt = at;
    p = 0;
  };
  for (let n = 0; n < dir.count; n++) {
    ensure(CENTRAL_FIXED, n);
    ensure(centralRecordLength(buf, p), n);
    const entry = parseCentralRecord(buf, p, n);
    p += centralRecordLength(buf, p);
    yield entry;
  }
}

/**
 * Reads the zip's entries through one window: they lie one after another, so the small ones
 * (most of a private data dir) take no system call of their own (two each, seek and read, made
 * extraction twice as costly in kernel time as Python's buffered reads).
 */
class EntryReader {
  #buf = new Uint8Array(1 << 18);
  #at = 0; // file offset of #buf[0]
  #len = 0;
  readonly size: number;

  constructor(readonly file: Deno.FsFile) {
    this.size = file.statSync().size;
  }

  /** Fills `dst` from `offset` (inside the file: callers check against `size`). */
  readAt(offset: number, dst: Uint8Array): Uint8Array {
    for (let done = 0; done < dst.length;) {
      const at = offset + done;
      if (at < this.#at || at >= this.#at + this.#len) {
        this.#len = Math.min(this.#buf.length, this.size - at);
        if (this.#len <= 0) throw new ZipFormatError("unexpected end of zip data");
        readInto(this.file, at, this.#buf.subarray(0, this.#len));
        this.#at = at;
      }
      const from = at - this.#at;
      const n = Math.min(dst.length - done, this.#len - from);
      dst.set(this.#buf.subarray(from, from + n), done);
      done += n;
    }
    return dst;
  }
}

/** Where an entry's data starts (after its local header). */
function dataStart(zip: EntryReader, e: CentralEntry): number {
  const size = zip.size;
  if (e.offset + 30 > size) throw new ZipFormatError(`'${e.name}': local header outside the file`);
  const h = zip.readAt(e.offset, new Uint8Array(30));
  const v = new DataView(h.buffer);
  if (v.getUint32(0, true) !== SIG_LOCAL) throw new ZipFormatError(`'${e.name}': bad local header`);
  const start = e.offset + 30 + v.getUint16(26, true) + v.getUint16(28, true);
  if (start + e.compressedSize > size) {
    throw new ZipFormatError(`'${e.name}': data outside the file`);
  }
  return start;
}

/** Streams an entry's content to `sink` in chunks, checking its size and CRC. */
function entryData(
  zip: EntryReader,
  e: CentralEntry,
  start: number,
  buffers: InflateBuffers,
  sink: (chunk: Uint8Array) => void,
): void {
  if (e.flags & 1) throw new ZipFormatError(`'${e.name}': encrypted entries are not supported`);
  if (e.method !== METHOD_STORE && e.method !== METHOD_DEFLATE) {
    throw new ZipFormatError(`'${e.name}': compression method ${e.method} is not supported`);
  }
  let at = start;
  let left = e.compressedSize;
  const read = (buf: Uint8Array): number => {
    if (left <= 0) return 0;
    const n = Math.min(buf.length, left);
    zip.readAt(at, buf.subarray(0, n));
    at += n;
    left -= n;
    return n;
  };
  let crc = 0;
  let size = 0;
  const take = (chunk: Uint8Array) => {
    size += chunk.length;
    if (size > e.size) {
      throw new ZipFormatError(`'${e.name}': more data than its declared ${e.size} bytes`);
    }
    crc = crc32(chunk, crc);
    sink(chunk);
  };
  if (e.method === METHOD_STORE) {
    for (let n = read(buffers.input); n > 0; n = read(buffers.input)) {
      take(buffers.input.subarray(0, n));
    }
  } else if (e.compressedSize > 0) {
    try {
      inflateRaw(read, take, e.size, buffers);
    } catch (err) {
      if (!(err instanceof InflateError)) throw err;
      if (err.message === OVERFLOW) {
        throw new ZipFormatError(`'${e.name}': more data than its declared ${e.size} bytes`);
      }
      throw new ZipFormatError(`'${e.name}': cannot inflate: ${err.message}`);
    }
  }
  if (size !== e.size) throw new ZipFormatError(`'${e.name}': ${size} bytes, ${e.size} declared`);
  if ((crc >>> 0) !== (e.crc >>> 0)) throw new ZipFormatError(`'${e.name}': CRC mismatch`);
}

/** Extracts `zipPath` into `target` (created if missing). Throws on the first unsafe entry. */
export async function extractZip(zipPath: string, target: string): Promise<number> {
  const root = resolve(target);
  Deno.mkdirSync(root, { recursive: true, mode: 0o700 });
  const file = Deno.openSync(zipPath);
  const dirTimes: [string, Date][] = [];
  const buffers = new InflateBuffers();
  const knownDirs = new Set<string>();
  let count = 0;
  try {
    const zip = new EntryReader(file);
    const dir = findDirectory(file, zip.size);
    // Every name is checked before anything is written (a first pass that keeps nothing).
    for (const e of centralEntries(file, dir)) safeEntryPath(e.name);
    for (const e of centralEntries(file, dir)) {
      // The work is synchronous; let timers and signals (cancel) in now and then.
      if (++count % 2048 === 0) await breathe();
      const name = e.name;
      const rel = safeEntryPath(name);
      const full = join(root, rel);
      const type = e.mode & 0o170000;
      const perm = e.mode & 0o7777;
      ensureParents(root, rel, name, knownDirs);
      const existing = lstatOrNull(full);
      if (name.endsWith("/") || type === 0o040000) {
        if (existing?.isSymlink) throw new UnsafeEntry(name, "a symlink is in the way");
        if (!existing) Deno.mkdirSync(full, { mode: 0o700 });
        else if (!existing.isDirectory) throw new UnsafeEntry(name, "a file is in the way");
        if (perm) Deno.chmodSync(full, perm | 0o700);
        dirTimes.push([full, e.mtime]);
        continue;
      }
      if (existing?.isDirectory) throw new UnsafeEntry(name, "a directory is in the way");
      const start = dataStart(zip, e);
      if (type === 0o120000) {
        if (e.size > 4096) throw new UnsafeEntry(name, "symlink target too long");
        const parts: Uint8Array[] = [];
        entryData(zip, e, start, buffers, (c) => parts.push(c.slice()));
        const linkTarget = new TextDecoder().decode(new Uint8Array(parts.flatMap((p) => [...p])));
        if (!linkStaysInside(rel, linkTarget)) {
          throw new UnsafeEntry(name, `symlink to '${linkTarget}' leads outside`);
        }
        if (existing) Deno.removeSync(full); // replaces the link itself, never what it points to
        Deno.symlinkSync(linkTarget, full);
        knownDirs.clear();
        continue;
      }
      // A regular file: an existing symlink or FIFO at its place is replaced, never followed.
      if (existing && !existing.isFile) {
        Deno.removeSync(full);
        knownDirs.clear();
      }
      const out = Deno.openSync(full, { write: true, create: true, truncate: true, mode: 0o600 });
      try {
        entryData(zip, e, start, buffers, (chunk) => {
          for (let o = 0; o < chunk.length;) o += out.writeSync(chunk.subarray(o));
        });
      } finally {
        out.close();
      }
      Deno.chmodSync(full, perm || 0o644);
      Deno.utimeSync(full, e.mtime, e.mtime);
    }
  } finally {
    file.close();
  }
  // Directory times last: writing their contents would have changed them.
  for (const [dir, t] of dirTimes.reverse()) Deno.utimeSync(dir, t, t);
  return count;
}
