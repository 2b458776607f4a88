/**
 * Zipping a directory for the wire: deflated ZIP64-capable entries, Unix modes and mtimes
 * kept, symlinks stored as links, FIFOs and sockets skipped. Streams file contents; memory
 * does not grow with the directory.
 */
// @ts-types="@types/yazl"
import yazl from "yazl";
import { join } from "node:path";
import { createWriteStream } from "node:fs";
import { Buffer } from "node:buffer";

const S_IFLNK = 0o120000;

interface Entry {
  rel: string;
  full: string;
  info: Deno.FileInfo;
}

function* walk(root: string, rel = ""): Generator<Entry> {
  const names = [...Deno.readDirSync(rel ? join(root, rel) : root)].map((e) => e.name).sort();
  for (const name of names) {
    const r = rel ? `${rel}/${name}` : name;
    const full = join(root, r);
    const info = Deno.lstatSync(full);
    yield { rel: r, full, info };
    if (info.isDirectory) yield* walk(root, r);
  }
}

/** Writes a zip of `dir` to `zipPath`; resolves to its size in bytes. */
export async function zipDirectory(dir: string, zipPath: string): Promise<number> {
  const zip = new yazl.ZipFile();
  const out = createWriteStream(zipPath, { mode: 0o600 });
  const finished = new Promise<void>((resolve, reject) => {
    out.on("close", () => resolve());
    out.on("error", reject);
    zip.outputStream.on("error", reject);
  });
  zip.outputStream.pipe(out);
  for (const { rel, full, info } of walk(dir)) {
    const mtime = info.mtime ?? new Date();
    const perm = (info.mode ?? 0o644) & 0o7777;
    if (info.isSymlink) {
      const target = Buffer.from(Deno.readLinkSync(full), "utf8");
      zip.addBuffer(target, rel, { mtime, mode: S_IFLNK | 0o777, compress: false });
    } else if (info.isDirectory) {
      zip.addEmptyDirectory(rel, { mtime, mode: 0o040000 | perm });
    } else if (info.isFile) {
      zip.addFile(full, rel, { mtime, mode: 0o100000 | perm, compress: true });
    }
    // FIFOs, sockets and devices are not data: skipped, as ansible-runner does.
  }
  zip.end();
  await finished;
  return Deno.statSync(zipPath).size;
}
