/**
 * How to start runner again as a child: the compiled binary runs itself; under `deno run` the
 * child is `deno run -A <V8 flags> <main module>`. Pure given its inputs.
 */

/** The V8 flags the compiled binary bakes in (see deno.json's compile task). */
export const V8_FLAGS = "--v8-flags=--max-semi-space-size=1,--single-threaded,--expose-gc";

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
