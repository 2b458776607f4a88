import { assertEquals } from "../testing/assert.ts";
import { ByteReader, TruncatedStream } from "./byte_reader.ts";

function streamOf(text: string, size: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let i = 0;
  return new ReadableStream({
    pull(c) {
      if (i >= bytes.length) return c.close();
      c.enqueue(bytes.slice(i, i + size));
      i += size;
    },
  });
}

const dec = (b: Uint8Array | null) => b === null ? null : new TextDecoder().decode(b);

Deno.test("byte reader: lines, exact bytes, and a last line without newline, at any chunking", async () => {
  for (const size of [1, 2, 3, 5, 64]) {
    const r = new ByteReader(streamOf('{"a":1}\n{"zipfile": 4}\nABCD{"eof": true}', size));
    assertEquals(dec(await r.readLine(100)), '{"a":1}');
    assertEquals(dec(await r.readLine(100)), '{"zipfile": 4}');
    const got: string[] = [];
    await r.readExact(4, (c) => {
      got.push(dec(c)!);
    });
    assertEquals(got.join(""), "ABCD");
    assertEquals(dec(await r.readLine(100)), '{"eof": true}');
    assertEquals(await r.readLine(100), null);
  }
});

Deno.test("byte reader: truncated payload and over-long lines are errors", async () => {
  const r = new ByteReader(streamOf("AB", 1));
  let err: unknown;
  await r.readExact(4, () => {}).catch((e) => err = e);
  assertEquals(err instanceof TruncatedStream, true);
  const long = new ByteReader(streamOf("x".repeat(50) + "\n", 7));
  let e2: unknown;
  await long.readLine(10).catch((e) => e2 = e);
  assertEquals(String(e2).includes("longer than 10"), true);
});
