/**
 * Asking Python itself, for tests that hold runner's re-creations of Python behaviour (PyYAML,
 * shlex, literal_eval, re, str()) to the real thing.
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

/**
 * Python's answer for each of `items`: `definitions` (imports and helpers) must define
 * `answer(x)`, whose result for every item comes back, in order, as JSON.
 */
export function askPythonEach<T>(definitions: string, items: unknown[]): Promise<T[]> {
  return askPython<T[]>(
    `import json, sys\n${definitions}\nprint(json.dumps([answer(x) for x in json.load(sys.stdin)]))`,
    items,
  );
}
