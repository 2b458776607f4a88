import { assertEquals } from "../testing/assert.ts";
import { ignoredIn } from "./cancel_signals.ts";

Deno.test("cancel signals: the ignored mask of /proc/<pid>/status, read per signal", () => {
  const status = (mask: string) => `Name:\tdeno\nSigBlk:\t0000000000000000\nSigIgn:\t${mask}\n`;
  assertEquals(ignoredIn(status("0000000000001001"), 1), true); // SIGHUP (and SIGPIPE) ignored
  assertEquals(ignoredIn(status("0000000000001000"), 1), false); // SIGPIPE only
  assertEquals(ignoredIn(status("0000000000001000"), 13), true);
  assertEquals(ignoredIn(status("8000000000000000"), 64), true);
  assertEquals(ignoredIn("Name:\tdeno\n", 1), false);
});

Deno.test("cancel signals: this process's own mask is read (Rust's runtime ignores SIGPIPE)", () => {
  assertEquals(ignoredIn(Deno.readTextFileSync("/proc/self/status"), 13), true);
});
