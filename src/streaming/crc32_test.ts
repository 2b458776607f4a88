import { crc32 as zlibCrc32 } from "node:zlib";
import { assertEquals } from "../testing/assert.ts";
import { crc32 } from "./crc32.ts";

Deno.test("crc32: the check value and zlib's results, whole and in pieces", () => {
  // The standard check value: CRC-32 of "123456789".
  assertEquals(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
  assertEquals(crc32(new Uint8Array(0)), 0);
  const data = new Uint8Array(100_003);
  crypto.getRandomValues(data.subarray(0, 65536));
  crypto.getRandomValues(data.subarray(65536));
  for (const n of [1, 7, 8, 9, 63, 4096, 100_003]) {
    assertEquals(crc32(data.subarray(0, n)), zlibCrc32(data.subarray(0, n)) >>> 0, `length ${n}`);
  }
  // Continuing from a previous CRC gives the CRC of the concatenation, at any split.
  for (const split of [0, 1, 5, 8, 4097, 100_002]) {
    const whole = crc32(data);
    assertEquals(crc32(data.subarray(split), crc32(data.subarray(0, split))), whole, `${split}`);
  }
});
