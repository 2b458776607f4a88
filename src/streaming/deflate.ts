/**
 * Raw deflate (RFC 1951, what ZIP entries hold) through the runtime's Compression Streams, so
 * the zip code needs no `node:` import (inflate is inflate.ts). A stream's native state is released when it finishes;
 * the JS objects around it are young garbage, which callers collect on a budget (GcBudget).
 * @module
 */

/** A raw-deflate stream typed for byte chunks. */
export function deflateRawStream(): TransformStream<Uint8Array, Uint8Array> {
  return new CompressionStream("deflate-raw") as unknown as TransformStream<Uint8Array, Uint8Array>;
}

/**
 * Deflates `data` in one piece; resolves to the compressed chunks. `data` may be reused by the
 * caller once this resolves.
 */
export async function deflateRaw(data: Uint8Array): Promise<Uint8Array[]> {
  const stream = deflateRawStream();
  const writer = stream.writable.getWriter();
  const written = writer.write(data).then(() => writer.close());
  const out: Uint8Array[] = [];
  for await (const chunk of stream.readable) out.push(chunk);
  await written;
  return out;
}
