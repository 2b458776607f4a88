import { join } from "node:path";
import { assert, assertEquals } from "../testing/assert.ts";
import { zipDirectory } from "./zip_out.ts";
import { extractZip } from "./zip_in.ts";
import { endRecords, findEnd, parseEnd64 } from "./zip_format.ts";

function tree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of Deno.readDirSync(join(root, rel))) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      const st = Deno.lstatSync(join(root, r));
      if (st.isSymlink) out[r] = `link:${Deno.readLinkSync(join(root, r))}`;
      else if (st.isDirectory) {
        out[r] = `dir:${(st.mode! & 0o777).toString(8)}`;
        walk(r);
      } else {
        const data = Deno.readFileSync(join(root, r));
        const sum = data.reduce((a, b) => (a * 31 + b) >>> 0, 0);
        out[r] = `file:${(st.mode! & 0o777).toString(8)}:${data.length}:${sum}:${
          Math.floor(st.mtime!.getTime() / 1000) // zip keeps whole seconds
        }`;
      }
    }
  };
  walk("");
  return out;
}

Deno.test("zip: round trip keeps content, modes, mtimes, symlinks; both large-entry paths", async () => {
  const base = await Deno.makeTempDir();
  try {
    const src = join(base, "src");
    await Deno.mkdir(join(src, "a/b"), { recursive: true });
    await Deno.writeTextFile(join(src, "a/b/small.txt"), "hello ✓\n");
    await Deno.writeFile(join(src, "empty"), new Uint8Array(0));
    const random = new Uint8Array(3 << 20);
    for (let o = 0; o < random.length; o += 65536) {
      crypto.getRandomValues(random.subarray(o, o + 65536));
    }
    await Deno.writeFile(join(src, "random.bin"), random);
    await Deno.writeFile(join(src, "repeat.bin"), new Uint8Array(5 << 20).fill(7)); // inflates ~1000×
    await Deno.writeTextFile(join(src, "ünïcödé name.txt"), "x");
    await Deno.chmod(join(src, "a/b/small.txt"), 0o751);
    await Deno.chmod(join(src, "a"), 0o750);
    await Deno.symlink("b/small.txt", join(src, "a/link"));
    for (const f of ["a/b/small.txt", "random.bin", "repeat.bin"]) {
      await Deno.utime(join(src, f), 1_600_000_000, 1_600_000_000);
    }
    const zip = join(base, "out.zip");
    const size = await zipDirectory(src, zip);
    assertEquals(size, (await Deno.stat(zip)).size);
    const dst = join(base, "dst");
    assertEquals(await extractZip(zip, dst), 8);
    assertEquals(tree(dst), tree(src));

    // Python's zipfile reads ours, CRCs included.
    const py = await new Deno.Command("/usr/bin/python3", {
      args: [
        "-c",
        "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(z.testzip(), len(z.infolist()))",
        zip,
      ],
      stdout: "piped",
    }).output();
    assertEquals(new TextDecoder().decode(py.stdout).trim(), "None 8");
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("zip: reads Python's ZIP64 entries and refuses a corrupted one", async () => {
  const base = await Deno.makeTempDir();
  try {
    const zip = join(base, "py.zip");
    await new Deno.Command("/usr/bin/python3", {
      args: [
        "-c",
        `
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED, allowZip64=True) as z:
    with z.open("forced64.txt", "w", force_zip64=True) as f:
        f.write(b"zip64 entry " * 1000)
    z.writestr("plain.txt", "plain")
`,
        zip,
      ],
    }).output();
    assertEquals(await extractZip(zip, join(base, "ok")), 2);
    assertEquals(
      await Deno.readTextFile(join(base, "ok/forced64.txt")),
      "zip64 entry ".repeat(1000),
    );
    const bytes = await Deno.readFile(zip);
    // Local header (30) + name (12) + ZIP64 extra (20) = 62: corrupt the data after it.
    bytes[66] ^= 0xff;
    await Deno.writeFile(join(base, "bad.zip"), bytes);
    let err: unknown;
    await extractZip(join(base, "bad.zip"), join(base, "bad")).catch((e) => err = e);
    assert(err instanceof Error && /inflate|CRC|bytes/.test(err.message), String(err));
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("zip: ZIP64 end records round trip for many entries and large offsets", () => {
  const tail = endRecords(70_000, 5_000_000_000, 9_000_000);
  const end = findEnd(tail);
  assertEquals(end.eocd64At, 5_009_000_000);
  assertEquals(parseEnd64(tail.subarray(0, 56)), {
    count: 70_000,
    cdOffset: 5_000_000_000,
    cdSize: 9_000_000,
  });
  assertEquals(findEnd(endRecords(3, 100, 50)), { count: 3, cdOffset: 100, cdSize: 50 });
});
