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

/** A byte stream, read with a reused buffer (BYOB), as Deno's stdin and files are. */
function byteStreamOf(text: string, size: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let i = 0;
  return new ReadableStream({
    type: "bytes",
    pull(c) {
      if (i >= bytes.length) {
        c.close();
        c.byobRequest?.respond(0);
        return;
      }
      const view = c.byobRequest!.view as Uint8Array;
      const n = Math.min(size, view.byteLength, bytes.length - i);
      view.set(bytes.subarray(i, i + n));
      i += n;
      c.byobRequest!.respond(n);
    },
  }) as ReadableStream<Uint8Array>;
}

const dec = (b: Uint8Array | null) => b === null ? null : new TextDecoder().decode(b);

Deno.test("byte reader: lines, exact bytes, and a last line without newline, at any chunking", async () => {
  const text = '{"a":1}\n{"zipfile": 4}\nABCD{"eof": true}';
  for (const make of [streamOf, byteStreamOf]) {
    for (const size of [1, 2, 3, 5, 8, 64]) {
      const r = new ByteReader(make(text, size));
      const first = await r.readLine(100);
      const second = await r.readLine(100);
      // Lines stay intact after later reads, even where the reader reuses its buffer.
      assertEquals(dec(first), '{"a":1}');
      assertEquals(dec(second), '{"zipfile": 4}');
      const got: string[] = [];
      await r.readExact(4, (c) => {
        got.push(dec(c)!);
      });
      assertEquals(got.join(""), "ABCD");
      assertEquals(dec(await r.readLine(100)), '{"eof": true}');
      assertEquals(await r.readLine(100), null);
    }
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
