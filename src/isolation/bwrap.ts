/**
 * Process isolation with bubblewrap: the job sees a minimal read-only root (/usr, /etc, and
 * /bin, /sbin, /lib… as links or binds, so usr-merged systems work), a private /tmp, its own
 * pid namespace, and only the paths it is given. Pure argv building.
 */

/** What the sandbox shows. */
export interface SandboxSpec {
  executable: string;
  /** Writable: the private data dir (and the artifact and project dirs if elsewhere). */
  writable: string[];
  /** `process_isolation_show_paths`: visible and writable. */
  show: string[];
  /** `process_isolation_ro_paths`: visible, read-only. */
  readOnly: string[];
  /** `process_isolation_hide_paths`: replaced by an empty dir (or an empty file). */
  hide: { path: string; isDir: boolean }[];
  /** Host dir mounted as the sandbox's /tmp. */
  tmpDir: string;
  cwd: string;
}

/** How each top-level system path is on the host: a symlink (usr-merged) or a directory. */
export type RootLayout = Record<string, { link: string } | { dir: true }>;

/** Top-level paths a program needs from the host, read-only. */
export const SYSTEM_PATHS = [
  "/usr",
  "/etc",
  "/bin",
  "/sbin",
  "/lib",
  "/lib32",
  "/lib64",
  "/libx32",
  "/opt",
];

/** The bwrap command line that runs `argv` inside the sandbox. Pure. */
export function bwrapArgs(s: SandboxSpec, layout: RootLayout, argv: string[]): string[] {
  const out = [
    s.executable,
    "--die-with-parent",
    "--unshare-pid",
    "--dev-bind",
    "/dev",
    "/dev",
    "--proc",
    "/proc",
    "--bind",
    s.tmpDir,
    "/tmp",
  ];
  for (const p of SYSTEM_PATHS) {
    const l = layout[p];
    if (!l) continue;
    if ("link" in l) out.push("--symlink", l.link, p);
    else out.push("--ro-bind", p, p);
  }
  for (const p of s.readOnly) out.push("--ro-bind", p, p);
  for (const p of [...s.writable, ...s.show]) out.push("--bind", p, p);
  // Hiding comes last, so it wins over any bind above it.
  for (const h of s.hide) {
    if (h.isDir) out.push("--tmpfs", h.path);
    else out.push("--ro-bind", "/dev/null", h.path);
  }
  out.push("--chdir", s.cwd, "--", ...argv);
  return out;
}

/** Reads the host's root layout for {@link bwrapArgs}. */
export function readRootLayout(): RootLayout {
  const layout: RootLayout = {};
  for (const p of SYSTEM_PATHS) {
    try {
      const st = Deno.lstatSync(p);
      if (st.isSymlink) layout[p] = { link: Deno.readLinkSync(p) };
      else if (st.isDirectory) layout[p] = { dir: true };
    } catch { /* not on this system */ }
  }
  return layout;
}
