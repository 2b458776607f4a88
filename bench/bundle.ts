/**
 * The bundle the benchmarks run, built where users put it: outside the repository. Run from
 * the repo's dist/, Deno would find the repo's deno.json at every start and set up its npm
 * resolution and lockfile, which a user's copy (or the compiled binary) never does. The path
 * is fixed, so Deno's code cache for it carries over from one benchmark run to the next.
 */
import { join } from "node:path";
import { tmpdir } from "node:os";
import { buildBundle } from "../tests/helpers.ts";

/** Builds the bundle into `<tmp>/runner-bench/runner.js`; returns its path. */
export async function benchBundle(): Promise<string> {
  const dir = join(tmpdir(), "runner-bench");
  await Deno.mkdir(dir, { recursive: true });
  const path = join(dir, "runner.js");
  await buildBundle(path);
  return path;
}
