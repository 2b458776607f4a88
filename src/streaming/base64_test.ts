import { assertEquals, assertThrows } from "../testing/assert.ts";
import { Base64Decoder, Base64Encoder, base64Length } from "./base64.ts";

const ascii = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("base64: chunked encode/decode round trip at every chunk size", () => {
  for (const n of [0, 1, 2, 3, 1000, 1001, 1002]) {
    const data = new Uint8Array(n).map((_, i) => (i * 37) % 256);
    for (const size of [1, 2, 3, 4, 5, 7, 64, 999, 1000]) {
      const enc = new Base64Encoder();
      let encoded = "";
      for (let i = 0; i < data.length; i += size) {
        encoded += text(enc.push(data.subarray(i, i + size)));
      }
      encoded += text(enc.end());
      assertEquals(encoded, data.toBase64(), `${n} bytes in pieces of ${size}`);
      assertEquals(encoded.length, base64Length(data.length));
      const dec = new Base64Decoder();
      const parts: number[] = [];
      const bytes = ascii(encoded);
      for (let i = 0; i < bytes.length; i += size) {
        parts.push(...dec.push(bytes.subarray(i, i + size)));
      }
      dec.end();
      assertEquals(new Uint8Array(parts), data);
    }
  }
});

Deno.test("base64: bad characters, misplaced padding and truncation are errors", () => {
  for (const bad of ["ab!d", "ab\ncd", "a===", "=abc", "ab=c", "abc=abcd"]) {
    assertThrows(() => new Base64Decoder().push(ascii(bad)), /invalid base64|after padding/);
  }
  const split = new Base64Decoder();
  split.push(ascii("ab=="));
  assertThrows(() => split.push(ascii("cd")), /after padding/);
  const d = new Base64Decoder();
  d.push(ascii("abc"));
  assertThrows(() => d.end(), /mid-group/);
});
