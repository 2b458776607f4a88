/**
 * The locale a job inherits, as under ansible-runner. Python coerces a legacy C locale to a
 * UTF-8 one when it starts (PEP 538) and writes that into its own environment, so every job
 * ansible-runner starts from a C-locale environment (a systemd unit, `env -i`, a container
 * whose LANG names a locale it lacks) sees `LC_CTYPE=C.UTF-8`: `ls`, `sort` and `wc -m` in a
 * program it runs (`-b`) read and write UTF-8. runner, not being Python, does the same.
 * @module
 */

/** Python's coercion targets, in the order it tries them. */
const TARGETS = ["C.UTF-8", "C.utf8", "UTF-8"];

/**
 * The `LC_CTYPE` Python would set in an environment like `env`, or null where it sets none:
 * not when `LC_ALL` is set or `PYTHONCOERCECLOCALE=0`; yes when the locale that `LC_CTYPE`, else
 * `LANG`, names is C, POSIX, or one this system lacks (`available` says). Pure.
 */
export function pythonCoercedCtype(
  env: Record<string, string | undefined>,
  available: (locale: string) => boolean,
): string | null {
  if (env.PYTHONCOERCECLOCALE === "0" || env.LC_ALL) return null;
  const name = env.LC_CTYPE || env.LANG || "C";
  // Already a coercion target (containers' usual LANG): nothing to ask the C library (~0.2 ms).
  if (TARGETS.includes(name)) return null;
  if (name !== "C" && name !== "POSIX" && available(name)) return null;
  return TARGETS.find(available) ?? null;
}
