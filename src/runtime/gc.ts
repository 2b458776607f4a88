/**
 * Off-heap buffers (file reads, zlib state) put little pressure on V8's heap, so bulk work on
 * many small files can hold far more memory than it uses. Where the runtime was started with
 * `--expose-gc` (the compiled binary and the deno tasks are), this lets such loops collect.
 */
import { sleep } from "./timer.ts";
const collector = (globalThis as { gc?: () => void }).gc;

/** Runs a full garbage collection when the runtime allows it; otherwise does nothing. */
export function collectGarbage(): void {
  collector?.();
}

/** Collects once every `every` units of work (bytes or entries) added. */
export class GcBudget {
  #since = 0;

  constructor(readonly every: number) {}

  /** Counts `n` more units; collects when the budget is spent. */
  add(n: number): void {
    if ((this.#since += n) >= this.every) {
      this.#since = 0;
      collectGarbage();
    }
  }
}

/**
 * For long synchronous loops over many entries: lets timers and signals (cancel) in, then
 * collects. Turning the event loop without collecting makes V8 grow the heap for the garbage
 * such loops leave, so both go together.
 */
export async function breathe(): Promise<void> {
  await sleep(0);
  collectGarbage();
}
