/** runner's version; kept in a module of its own so `--version` loads nothing else. */
export const VERSION = "0.1.0";
/** The ansible-runner release whose command line and wire format runner follows. */
export const COMPATIBLE_WITH = "2.3";
