/**
 * Safe extraction of a wire zip into one directory. Nothing outside `target` is ever created,
 * modified, chmod-ed or touched: names with `..` or absolute paths, symlinks that lead out,
 * and entries that would be written through any symlink are refused before anything of them
 * is written.
 */
import { dirname, isAbsolute, join, normalize, relative, resolve } from "../runtime/path.ts";
import { crc32 } from "./crc32.ts";
import { inflateRawStream } from "./deflate.ts";
import { GcBudget } from "../runtime/gc.ts";
import {
  type CentralEntry,
  findEnd,
  METHOD_DEFLATE,
  METHOD_STORE,
  parseCentral,
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

/** Creates the parent dirs of `rel` under `root`, refusing to pass through any symlink. */
function ensureParents(root: string, rel: string, name: string): void {
  const parts = rel.split("/").slice(0, -1);
  let cur = root;
  for (const p of parts) {
    cur = join(cur, p);
    const st = lstatOrNull(cur);
    if (st === null) Deno.mkdirSync(cur, { mode: 0o700 });
    else if (st.isSymlink) throw new UnsafeEntry(name, `'${relative(root, cur)}' is a symlink`);
    else if (!st.isDirectory) {
      throw new UnsafeEntry(name, `'${relative(root, cur)}' is not a directory`);
    }
  }
}

function readAt(file: Deno.FsFile, offset: number, length: number): Uint8Array {
  const buf = new Uint8Array(length);
  file.seekSync(offset, Deno.SeekMode.Start);
  let n = 0;
  while (n < length) {
    const r = file.readSync(buf.subarray(n));
    if (r === null || r === 0) throw new ZipFormatError("unexpected end of zip data");
    n += r;
  }
  return buf;
}

/** Reads the central directory, checking that it lies inside the file. */
function readDirectory(file: Deno.FsFile, size: number): CentralEntry[] {
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
  return parseCentral(readAt(file, end.cdOffset, end.cdSize), end.count);
}

/** Where an entry's data starts (after its local header). */
function dataStart(file: Deno.FsFile, e: CentralEntry, size: number): number {
  if (e.offset + 30 > size) throw new ZipFormatError(`'${e.name}': local header outside the file`);
  const h = readAt(file, e.offset, 30);
  const v = new DataView(h.buffer);
  if (v.getUint32(0, true) !== SIG_LOCAL) throw new ZipFormatError(`'${e.name}': bad local header`);
  const start = e.offset + 30 + v.getUint16(26, true) + v.getUint16(28, true);
  if (start + e.compressedSize > size) {
    throw new ZipFormatError(`'${e.name}': data outside the file`);
  }
  return start;
}

const GC_BYTES = 4 << 20;
/** Target size of one inflated chunk. */
const INFLATED_CHUNK = 1 << 20;

/** The entry's stored bytes, read from `file` in pieces as they are pulled. */
function entryRegion(
  file: Deno.FsFile,
  start: number,
  e: CentralEntry,
): ReadableStream<Uint8Array> {
  let left = e.compressedSize;
  let pos = start;
  // Input pieces sized by the entry's compression ratio bound each inflated chunk to about
  // 1 MiB (deflate can expand ~1000×), without slowing incompressible data.
  const ratio = e.size / Math.max(1, e.compressedSize);
  const piece = Math.max(512, Math.min(1 << 16, Math.floor(INFLATED_CHUNK / Math.max(1, ratio))));
  return new ReadableStream<Uint8Array>({
    pull(ctl) {
      if (left <= 0) return ctl.close();
      const buf = readAt(file, pos, Math.min(left, piece));
      left -= buf.length;
      pos += buf.length;
      ctl.enqueue(buf);
    },
  }, { highWaterMark: 0 });
}

/** Streams an entry's content to `sink`, checking size and CRC. */
async function entryData(
  file: Deno.FsFile,
  e: CentralEntry,
  start: number,
  sink: (chunk: Uint8Array) => void,
): Promise<void> {
  if (e.flags & 1) throw new ZipFormatError(`'${e.name}': encrypted entries are not supported`);
  if (e.method !== METHOD_STORE && e.method !== METHOD_DEFLATE) {
    throw new ZipFormatError(`'${e.name}': compression method ${e.method} is not supported`);
  }
  let crc = 0;
  let size = 0;
  const region = entryRegion(file, start, e);
  const stream = e.method === METHOD_STORE || e.compressedSize === 0
    ? region
    : region.pipeThrough(inflateRawStream());
  const reader = stream.getReader();
  // Chunks live off the V8 heap; collect so a large entry does not pile up unfreed.
  const gc = new GcBudget(GC_BYTES);
  try {
    for (;;) {
      const { value: chunk, done } = await reader.read();
      if (done) break;
      size += chunk.length;
      if (size > e.size) {
        throw new ZipFormatError(`'${e.name}': more data than its declared ${e.size} bytes`);
      }
      crc = crc32(chunk, crc);
      sink(chunk);
      gc.add(chunk.length);
    }
  } catch (err) {
    await reader.cancel().catch(() => {});
    if (err instanceof ZipFormatError) throw err;
    throw new ZipFormatError(`'${e.name}': cannot inflate: ${(err as Error).message}`);
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
  const entryGc = new GcBudget(200);
  let count = 0;
  try {
    const size = file.statSync().size;
    const entries = readDirectory(file, size);
    // Every name is checked before anything is written.
    const rels = entries.map((e) => safeEntryPath(e.name));
    for (const [i, e] of entries.entries()) {
      count++;
      entryGc.add(1);
      const name = e.name;
      const rel = rels[i];
      const full = join(root, rel);
      const type = e.mode & 0o170000;
      const perm = e.mode & 0o7777;
      ensureParents(root, rel, name);
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
      const start = dataStart(file, e, size);
      if (type === 0o120000) {
        if (e.size > 4096) throw new UnsafeEntry(name, "symlink target too long");
        const parts: Uint8Array[] = [];
        await entryData(file, e, start, (c) => parts.push(c.slice()));
        const linkTarget = new TextDecoder().decode(new Uint8Array(parts.flatMap((p) => [...p])));
        if (!linkStaysInside(rel, linkTarget)) {
          throw new UnsafeEntry(name, `symlink to '${linkTarget}' leads outside`);
        }
        if (existing) Deno.removeSync(full); // replaces the link itself, never what it points to
        Deno.symlinkSync(linkTarget, full);
        continue;
      }
      // A regular file: an existing symlink or FIFO at its place is replaced, never followed.
      if (existing && !existing.isFile) Deno.removeSync(full);
      const out = Deno.openSync(full, { write: true, create: true, truncate: true, mode: 0o600 });
      try {
        await entryData(file, e, start, (chunk) => {
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
