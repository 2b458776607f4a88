/**
 * Safe extraction of a wire zip into one directory. Nothing outside `target` is ever created,
 * modified, chmod-ed or touched: names with `..` or absolute paths, symlinks that lead out,
 * and entries that would be written through any symlink are refused before anything of them
 * is written.
 */
// @ts-types="@types/yauzl"
import yauzl from "yauzl";
import { dirname, isAbsolute, join, normalize, relative, resolve } from "node:path";
import { Buffer } from "node:buffer";
import type { Readable } from "node:stream";

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

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((res, rej) =>
    yauzl.open(
      path,
      { lazyEntries: true, autoClose: false, strictFileNames: false },
      (e, z) => e ? rej(e) : res(z!),
    )
  );
}

function openEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Readable> {
  return new Promise((res, rej) => zip.openReadStream(entry, (e, s) => e ? rej(e) : res(s!)));
}

async function readAll(stream: Readable, limit: number): Promise<Uint8Array> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of stream) {
    n += (chunk as Buffer).length;
    if (n > limit) throw new Error("symlink target too long");
    parts.push(chunk as Buffer);
  }
  return new Uint8Array(Buffer.concat(parts));
}

/** Extracts `zipPath` into `target` (created if missing). Throws on the first unsafe entry. */
export async function extractZip(zipPath: string, target: string): Promise<number> {
  const root = resolve(target);
  Deno.mkdirSync(root, { recursive: true, mode: 0o700 });
  const zip = await openZip(zipPath);
  let count = 0;
  const dirTimes: [string, Date][] = [];
  try {
    for (;;) {
      const entry = await new Promise<yauzl.Entry | null>((res, rej) => {
        zip.once("entry", (e) => res(e));
        zip.once("end", () => res(null));
        zip.once("error", rej);
        zip.readEntry();
      });
      zip.removeAllListeners("entry").removeAllListeners("end").removeAllListeners("error");
      if (!entry) break;
      count++;
      const name = entry.fileName;
      const rel = safeEntryPath(name);
      const full = join(root, rel);
      const mode = (entry.externalFileAttributes >>> 16) & 0xffff;
      const type = mode & 0o170000;
      const perm = mode & 0o7777;
      const mtime = entry.getLastModDate();
      ensureParents(root, rel, name);
      const existing = lstatOrNull(full);
      if (name.endsWith("/") || type === 0o040000) {
        if (existing?.isSymlink) throw new UnsafeEntry(name, "a symlink is in the way");
        if (!existing) Deno.mkdirSync(full, { mode: 0o700 });
        else if (!existing.isDirectory) throw new UnsafeEntry(name, "a file is in the way");
        if (perm) Deno.chmodSync(full, perm | 0o700);
        dirTimes.push([full, mtime]);
        continue;
      }
      if (existing?.isDirectory) throw new UnsafeEntry(name, "a directory is in the way");
      if (type === 0o120000) {
        const linkTarget = new TextDecoder().decode(
          await readAll(await openEntry(zip, entry), 4096),
        );
        if (!linkStaysInside(rel, linkTarget)) {
          throw new UnsafeEntry(name, `symlink to '${linkTarget}' leads outside`);
        }
        if (existing) Deno.removeSync(full); // replaces the link itself, never what it points to
        Deno.symlinkSync(linkTarget, full);
        continue;
      }
      // A regular file: an existing symlink or FIFO at its place is replaced, never followed.
      if (existing && !existing.isFile) Deno.removeSync(full);
      const file = Deno.openSync(full, { write: true, create: true, truncate: true, mode: 0o600 });
      try {
        for await (const chunk of await openEntry(zip, entry)) file.writeSync(chunk as Uint8Array);
      } finally {
        file.close();
      }
      Deno.chmodSync(full, perm || 0o644);
      Deno.utimeSync(full, mtime, mtime);
    }
  } finally {
    zip.close();
  }
  // Directory times last: writing their contents would have changed them.
  for (const [dir, t] of dirTimes.reverse()) Deno.utimeSync(dir, t, t);
  return count;
}
