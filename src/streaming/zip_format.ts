/**
 * ZIP record layouts (APPNOTE 6.3): local headers, data descriptors, central directory, the
 * end records, ZIP64 extensions and the Info-ZIP extended timestamp. Pure byte building and
 * parsing; no I/O.
 */

export const SIG_LOCAL = 0x04034b50;
export const SIG_DESCRIPTOR = 0x08074b50;
export const SIG_CENTRAL = 0x02014b50;
export const SIG_EOCD = 0x06054b50;
export const SIG_EOCD64 = 0x06064b50;
export const SIG_LOCATOR64 = 0x07064b50;
export const METHOD_STORE = 0;
export const METHOD_DEFLATE = 8;
export const FLAG_DESCRIPTOR = 0x0008;
export const FLAG_UTF8 = 0x0800;
const MAX32 = 0xffffffff;
const MAX16 = 0xffff;

/** One entry as the central directory describes it. */
export interface CentralEntry {
  name: string;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  offset: number;
  /** Unix mode (type and permission bits) from the external attributes; 0 when not Unix. */
  mode: number;
  /** Modification time (extended timestamp when present, else the DOS time as local time). */
  mtime: Date;
}

/** DOS date and time (local time, 2-second resolution), as zip tools write them. */
export function dosDateTime(d: Date): { date: number; time: number } {
  const year = Math.max(1980, d.getFullYear());
  return {
    date: ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
  };
}

function fromDos(date: number, time: number): Date {
  return new Date(
    (date >> 9) + 1980,
    ((date >> 5) & 15) - 1,
    date & 31,
    time >> 11,
    (time >> 5) & 63,
    (time & 31) * 2,
  );
}

class Bytes {
  #buf: Uint8Array;
  #view: DataView;
  #off = 0;
  constructor(n: number) {
    this.#buf = new Uint8Array(n);
    this.#view = new DataView(this.#buf.buffer);
  }
  u16(v: number): this {
    this.#view.setUint16(this.#off, v, true);
    this.#off += 2;
    return this;
  }
  u32(v: number): this {
    this.#view.setUint32(this.#off, v >>> 0, true);
    this.#off += 4;
    return this;
  }
  u64(v: number): this {
    this.#view.setBigUint64(this.#off, BigInt(v), true);
    this.#off += 8;
    return this;
  }
  bytes(b: Uint8Array): this {
    this.#buf.set(b, this.#off);
    this.#off += b.length;
    return this;
  }
  done(): Uint8Array {
    return this.#buf;
  }
}

/** Info-ZIP extended timestamp (0x5455) with the modification time in UTC seconds. */
function timestampExtra(mtime: Date): Uint8Array {
  const b = new Bytes(9).u16(0x5455).u16(5).done();
  b[4] = 1; // flags: the modification time is present
  new DataView(b.buffer).setUint32(5, Math.floor(mtime.getTime() / 1000) >>> 0, true);
  return b;
}

/** What a local header needs. */
export interface LocalHeader {
  name: Uint8Array;
  method: number;
  /** Sizes and CRC follow in a data descriptor (unknown when the header is written). */
  descriptor: boolean;
  zip64: boolean;
  crc: number;
  compressedSize: number;
  size: number;
  mtime: Date;
}

/** A local file header. */
export function localHeader(h: LocalHeader): Uint8Array {
  const { date, time } = dosDateTime(h.mtime);
  const ts = timestampExtra(h.mtime);
  const z64 = h.zip64
    ? new Bytes(20).u16(1).u16(16).u64(h.descriptor ? 0 : h.size).u64(
      h.descriptor ? 0 : h.compressedSize,
    ).done()
    : new Uint8Array(0);
  const small = (v: number) => h.descriptor ? 0 : v;
  return new Bytes(30 + h.name.length + ts.length + z64.length)
    .u32(SIG_LOCAL).u16(h.zip64 ? 45 : 20)
    .u16(FLAG_UTF8 | (h.descriptor ? FLAG_DESCRIPTOR : 0)).u16(h.method).u16(time).u16(date)
    .u32(small(h.crc)).u32(h.zip64 ? MAX32 : small(h.compressedSize)).u32(
      h.zip64 ? MAX32 : small(h.size),
    )
    .u16(h.name.length).u16(ts.length + z64.length).bytes(h.name).bytes(ts).bytes(z64).done();
}

/** The data descriptor after an entry's data (8-byte sizes for ZIP64 entries). */
export function dataDescriptor(
  crc: number,
  compressedSize: number,
  size: number,
  zip64: boolean,
): Uint8Array {
  return zip64
    ? new Bytes(24).u32(SIG_DESCRIPTOR).u32(crc).u64(compressedSize).u64(size).done()
    : new Bytes(16).u32(SIG_DESCRIPTOR).u32(crc).u32(compressedSize).u32(size).done();
}

/** A central directory record. */
export function centralHeader(e: Omit<CentralEntry, "name"> & { name: Uint8Array }): Uint8Array {
  const { date, time } = dosDateTime(e.mtime);
  const ts = timestampExtra(e.mtime);
  const big = [e.size >= MAX32, e.compressedSize >= MAX32, e.offset >= MAX32];
  const n64 = big.filter(Boolean).length;
  const z64 = new Bytes(n64 ? 4 + 8 * n64 : 0);
  if (n64) {
    z64.u16(1).u16(8 * n64);
    if (big[0]) z64.u64(e.size);
    if (big[1]) z64.u64(e.compressedSize);
    if (big[2]) z64.u64(e.offset);
  }
  const extra = z64.done();
  const isDir = (e.mode & 0o170000) === 0o040000;
  return new Bytes(46 + e.name.length + ts.length + extra.length)
    .u32(SIG_CENTRAL).u16((3 << 8) | 45).u16(n64 ? 45 : 20).u16(e.flags).u16(e.method)
    .u16(time).u16(date).u32(e.crc)
    .u32(big[1] ? MAX32 : e.compressedSize).u32(big[0] ? MAX32 : e.size)
    .u16(e.name.length).u16(ts.length + extra.length).u16(0).u16(0).u16(0)
    .u32(((e.mode << 16) | (isDir ? 0x10 : 0)) >>> 0).u32(big[2] ? MAX32 : e.offset)
    .bytes(e.name).bytes(ts).bytes(extra).done();
}

/** The end records: ZIP64 end and locator when needed, then the classic end record. */
export function endRecords(count: number, cdOffset: number, cdSize: number): Uint8Array {
  const need64 = count >= MAX16 || cdOffset >= MAX32 || cdSize >= MAX32;
  const eocd = new Bytes(22).u32(SIG_EOCD).u16(0).u16(0)
    .u16(need64 ? MAX16 : count).u16(need64 ? MAX16 : count)
    .u32(need64 ? MAX32 : cdSize).u32(need64 ? MAX32 : cdOffset).u16(0).done();
  if (!need64) return eocd;
  const eocd64Offset = cdOffset + cdSize;
  const rec = new Bytes(56 + 20).u32(SIG_EOCD64).u64(44).u16((3 << 8) | 45).u16(45).u32(0).u32(0)
    .u64(count).u64(count).u64(cdSize).u64(cdOffset)
    .u32(SIG_LOCATOR64).u32(0).u64(eocd64Offset).u32(1).done();
  const out = new Uint8Array(rec.length + eocd.length);
  out.set(rec);
  out.set(eocd, rec.length);
  return out;
}

/** Raised for a file that is not a well-formed zip. */
export class ZipFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ZipFormatError";
  }
}

/** Finds and parses the central directory from the file's tail and its directory bytes. */
export function findEnd(
  tail: Uint8Array,
): { count: number; cdOffset: number; cdSize: number; eocd64At?: number } {
  const v = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  for (let i = tail.length - 22; i >= 0; i--) {
    if (v.getUint32(i, true) !== SIG_EOCD) continue;
    if (i + 22 + v.getUint16(i + 20, true) !== tail.length) continue; // comment must end the file
    const count = v.getUint16(i + 10, true);
    const cdSize = v.getUint32(i + 12, true);
    const cdOffset = v.getUint32(i + 16, true);
    if (count === MAX16 || cdSize === MAX32 || cdOffset === MAX32) {
      const loc = i - 20;
      if (loc < 0 || v.getUint32(loc, true) !== SIG_LOCATOR64) {
        throw new ZipFormatError("ZIP64 locator missing");
      }
      return { count, cdOffset, cdSize, eocd64At: Number(v.getBigUint64(loc + 8, true)) };
    }
    return { count, cdOffset, cdSize };
  }
  throw new ZipFormatError("no end of central directory record: not a zip file");
}

/** Parses a ZIP64 end record. */
export function parseEnd64(rec: Uint8Array): { count: number; cdOffset: number; cdSize: number } {
  const v = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
  if (rec.length < 56 || v.getUint32(0, true) !== SIG_EOCD64) {
    throw new ZipFormatError("bad ZIP64 end record");
  }
  return {
    count: Number(v.getBigUint64(32, true)),
    cdSize: Number(v.getBigUint64(40, true)),
    cdOffset: Number(v.getBigUint64(48, true)),
  };
}

/** Bytes before the variable-length fields of a central directory record. */
export const CENTRAL_FIXED = 46;

/**
 * The full length of the central directory record at `p`, from its fixed part (which must be
 * in `cd`). Pure.
 */
export function centralRecordLength(cd: Uint8Array, p: number): number {
  const v = new DataView(cd.buffer, cd.byteOffset, cd.byteLength);
  return CENTRAL_FIXED + v.getUint16(p + 28, true) + v.getUint16(p + 30, true) +
    v.getUint16(p + 32, true);
}

/** Parses the `n`th (0-based) central directory record, which starts at `p` in `cd`. Pure. */
export function parseCentralRecord(cd: Uint8Array, p: number, n: number): CentralEntry {
  const v = new DataView(cd.buffer, cd.byteOffset, cd.byteLength);
  if (p + CENTRAL_FIXED > cd.length || v.getUint32(p, true) !== SIG_CENTRAL) {
    throw new ZipFormatError(`central directory record ${n + 1} is damaged`);
  }
  const madeBy = v.getUint16(p + 4, true) >> 8;
  const flags = v.getUint16(p + 8, true);
  const method = v.getUint16(p + 10, true);
  const time = v.getUint16(p + 12, true);
  const date = v.getUint16(p + 14, true);
  let compressedSize = v.getUint32(p + 20, true);
  let size = v.getUint32(p + 24, true);
  const nameLen = v.getUint16(p + 28, true);
  const extraLen = v.getUint16(p + 30, true);
  const attrs = v.getUint32(p + 38, true);
  let offset = v.getUint32(p + 42, true);
  const nameBytes = cd.subarray(p + CENTRAL_FIXED, p + CENTRAL_FIXED + nameLen);
  let mtime = fromDos(date, time);
  let e = p + CENTRAL_FIXED + nameLen;
  const extraEnd = e + extraLen;
  if (extraEnd > cd.length) {
    throw new ZipFormatError(`central directory record ${n + 1} is damaged`);
  }
  while (e + 4 <= extraEnd) {
    const id = v.getUint16(e, true);
    const len = v.getUint16(e + 2, true);
    let q = e + 4;
    if (id === 0x0001) {
      if (size === MAX32) (size = Number(v.getBigUint64(q, true)), q += 8);
      if (compressedSize === MAX32) (compressedSize = Number(v.getBigUint64(q, true)), q += 8);
      if (offset === MAX32) offset = Number(v.getBigUint64(q, true));
    } else if (id === 0x5455 && len >= 5 && (cd[q] & 1)) {
      mtime = new Date(v.getUint32(q + 1, true) * 1000);
    }
    e += 4 + len;
  }
  return {
    name: UTF8.decode(nameBytes),
    method,
    flags,
    crc: v.getUint32(p + 16, true),
    compressedSize,
    size,
    offset,
    mode: madeBy === 3 ? attrs >>> 16 : (attrs & 0x10 ? 0o040755 : 0o100644),
    mtime,
  };
}

const UTF8 = new TextDecoder("utf-8", { fatal: false });
