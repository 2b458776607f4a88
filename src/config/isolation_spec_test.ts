import { assertEquals, assertThrows } from "../testing/assert.ts";
import { expandPath, hostVolumeMounts } from "./isolation_spec.ts";

Deno.test("expandPath: ~ and $VAR as Python's expanduser(expandvars(…))", () => {
  const env = { HOME: "/home/op", DATA: "/srv/data" };
  assertEquals(expandPath("~/x", env), "/home/op/x");
  assertEquals(expandPath("~", env), "/home/op");
  assertEquals(expandPath("~op/x", env), "~op/x");
  assertEquals(expandPath("$DATA/a:${DATA}b", env), "/srv/data/a:/srv/datab");
  assertEquals(expandPath("$UNSET/a", env), "$UNSET/a");
  assertEquals(expandPath("a~/b", env), "a~/b");
});

Deno.test("hostVolumeMounts: absolute, checked, missing ones left out with a warning", () => {
  const warnings: string[] = [];
  const mounts = hostVolumeMounts(
    ["/tmp:/t:Z", "$NOPE_DIR/x:/x", "/etc/hostname:/h:ro"],
    "container_volume_mounts",
    { NOPE_DIR: "/no/such" },
    warnings,
  );
  assertEquals(mounts, ["/tmp:/t:Z", "/etc/hostname:/h:ro"]);
  assertEquals(warnings, [
    "container_volume_mounts: /no/such/x does not exist on this node: not mounted",
  ]);
  assertThrows(() => hostVolumeMounts(["/data"], "k", {}, []), /is not SRC:DEST/);
  assertThrows(() => hostVolumeMounts(["/home/:/h"], "k", {}, []), /\/home and \/usr/);
  assertThrows(() => hostVolumeMounts(["/tmp:/usr/"], "k", {}, []), /mounted on \/, \/home or/);
});
