import { assertEquals, assertThrows } from "../testing/assert.ts";
import { Base64Decoder, Base64Encoder, base64Length } from "./base64.ts";

Deno.test("base64: chunked encode/decode round trip at every chunk size", () => {
  const data = new Uint8Array(1000).map((_, i) => (i * 37) % 256);
  for (const size of [1, 2, 3, 4, 5, 7, 64, 999, 1000]) {
    const enc = new Base64Encoder();
    let text = "";
    for (let i = 0; i < data.length; i += size) text += enc.push(data.subarray(i, i + size));
    text += enc.end();
    assertEquals(text, data.toBase64());
    assertEquals(text.length, base64Length(data.length));
    const dec = new Base64Decoder();
    const parts: number[] = [];
    for (let i = 0; i < text.length; i += size) parts.push(...dec.push(text.slice(i, i + size)));
    dec.end();
    assertEquals(new Uint8Array(parts), data);
  }
});

Deno.test("base64: bad characters and truncation are errors", () => {
  assertThrows(() => new Base64Decoder().push("ab!d"), /invalid base64/);
  assertThrows(() => new Base64Decoder().push("ab\ncd"), /invalid base64/);
  const d = new Base64Decoder();
  d.push("abc");
  assertThrows(() => d.end(), /mid-group/);
});
