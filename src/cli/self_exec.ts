/**
 * How to start runner again as a child: the compiled binary runs itself; under `deno run` the
 * child is `deno run -A <V8 flags> <main module>`. Pure given its inputs.
 */

/**
 * The V8 flags the compiled binary bakes in (deno.json's compile task; a test holds the tasks to
 * this). A small young generation and no compiler threads keep memory flat on long streams.
 * Source positions are recorded when a function is compiled: left lazy, the first exception a
 * process throws (a missing file's stat is one) made V8 reparse the whole one-file program to
 * place it, ~5 ms at every job's start.
 */
export const V8_FLAGS =
  "--v8-flags=--max-semi-space-size=1,--single-threaded,--expose-gc,--no-enable-lazy-source-positions";

/** argv (program first) that runs runner with `args`. */
export function selfCommand(
  args: string[],
  runtime: { standalone: boolean; execPath: string; mainModule: string } = {
    standalone: Deno.build.standalone,
    execPath: Deno.execPath(),
    mainModule: Deno.mainModule,
  },
): string[] {
  if (runtime.standalone) return [runtime.execPath, ...args];
  return [runtime.execPath, "run", "-A", V8_FLAGS, runtime.mainModule, ...args];
}
