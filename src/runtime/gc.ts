/**
 * Off-heap buffers (file reads, zlib state) put little pressure on V8's heap, so bulk work on
 * many small files can hold far more memory than it uses. Where the runtime was started with
 * `--expose-gc` (the compiled binary and the deno tasks are), this lets such loops collect.
 */
const collector = (globalThis as { gc?: () => void }).gc;

/** Runs a full garbage collection when the runtime allows it; otherwise does nothing. */
export function collectGarbage(): void {
  collector?.();
}
