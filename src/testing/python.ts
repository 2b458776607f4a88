/**
 * Asking Python itself, for tests that hold runner's re-creations of Python behaviour (PyYAML,
 * shlex, literal_eval, str()) to the real thing: the script reads `inputs` as JSON on stdin and
 * prints its answers as one JSON document.
 * @module
 */

/** Runs `python3 -c script` with `inputs` as JSON on stdin; resolves to its JSON answer. */
export async function askPython<T>(script: string, inputs: unknown): Promise<T> {
  const child = new Deno.Command("python3", {
    args: ["-W", "ignore", "-c", script],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(JSON.stringify(inputs)));
  await w.close();
  const { code, stdout } = await child.output();
  if (code !== 0) throw new Error(`python3 exited with ${code}`);
  return JSON.parse(new TextDecoder().decode(stdout));
}
