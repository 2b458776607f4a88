/**
 * POSIX path arithmetic with node:path's results. Its own module because importing any `node:`
 * module starts Deno's Node compatibility layer, which costs every command ~7 MiB of memory and
 * a few ms at start; runner only ever runs on Linux, so POSIX rules are all it needs.
 * @module
 */

/** Collapses `.`, `..` and repeated slashes; keeps a leading slash; "" becomes ".". Pure. */
export function normalize(path: string): string {
  if (path === "") return ".";
  const absolute = path.startsWith("/");
  const trailing = path.endsWith("/");
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length && out[out.length - 1] !== "..") out.pop();
      else if (!absolute) out.push("..");
    } else {
      out.push(part);
    }
  }
  let joined = out.join("/");
  if (absolute) return "/" + joined + (trailing && joined ? "/" : "");
  if (joined === "") joined = ".";
  return trailing ? joined + "/" : joined;
}

/** Joins the non-empty parts with "/" and normalizes the result. Pure. */
export function join(...parts: string[]): string {
  const kept = parts.filter((p) => p !== "");
  return kept.length ? normalize(kept.join("/")) : ".";
}

/** True for paths that start at the root. Pure. */
export function isAbsolute(path: string): boolean {
  return path.startsWith("/");
}

/**
 * The absolute path of `parts` taken right to left until one is absolute, from the current
 * directory otherwise; no trailing slash.
 */
export function resolve(...parts: string[]): string {
  let path = "";
  for (let i = parts.length - 1; i >= 0 && !path.startsWith("/"); i--) {
    if (parts[i] !== "") path = path ? `${parts[i]}/${path}` : parts[i];
  }
  if (!path.startsWith("/")) path = path ? `${Deno.cwd()}/${path}` : Deno.cwd();
  const n = normalize(path);
  return n.length > 1 && n.endsWith("/") ? n.slice(0, -1) : n;
}

/** The directory part of `path` ("." when there is none). Pure. */
export function dirname(path: string): string {
  if (path === "") return ".";
  const trimmed = path.replace(/\/+$/, "");
  if (trimmed === "") return "/";
  const i = trimmed.lastIndexOf("/");
  if (i < 0) return ".";
  if (i === 0) return "/";
  return trimmed.slice(0, i);
}

/** The path from `from` to `to`, both resolved first ("" when they are the same). */
export function relative(from: string, to: string): string {
  const a = resolve(from).split("/").filter(Boolean);
  const b = resolve(to).split("/").filter(Boolean);
  let common = 0;
  while (common < a.length && common < b.length && a[common] === b[common]) common++;
  return [...Array(a.length - common).fill(".."), ...b.slice(common)].join("/");
}
