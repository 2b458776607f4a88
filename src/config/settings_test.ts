import { assertEquals, assertThrows } from "../testing/assert.ts";
import { validateSettings } from "./settings.ts";
import { parseYaml } from "./yaml.ts";

Deno.test("settings: typed keys pass, null means unset, unknown keys warn", () => {
  const { settings, warnings } = validateSettings({
    idle_timeout: 5,
    job_timeout: null,
    suppress_ansi_output: true,
    process_isolation_hide_paths: "/secret",
    frobnicate: 1,
  });
  assertEquals(settings, {
    idle_timeout: 5,
    suppress_ansi_output: true,
    process_isolation_hide_paths: ["/secret"],
  });
  assertEquals(warnings, ["env/settings: unknown setting 'frobnicate' ignored"]);
});

Deno.test("settings: wrong types name the file and key", () => {
  assertThrows(
    () => validateSettings({ idle_timeout: "soon" }),
    /env\/settings: key 'idle_timeout': expected a non-negative number of seconds, got string "soon"/,
  );
  assertThrows(() => validateSettings({ pexpect_use_poll: "yes please" }), /pexpect_use_poll/);
  assertThrows(() => validateSettings({ container_options: "--rm" }), /a list of strings/);
  assertThrows(() => validateSettings([1, 2]), /must be a mapping/);
});

Deno.test("settings: a timestamp or !!binary is not taken for a mapping or a string", async () => {
  const doc = await parseYaml(
    "runner_http_headers: 2024-01-01\ncontainer_auth_data: !!binary aGk=\nfact_cache: 2024-01-01 10:00:00\n",
  ) as Record<string, unknown>;
  assertThrows(
    () => validateSettings({ runner_http_headers: doc.runner_http_headers }),
    /key 'runner_http_headers': expected a mapping, got a timestamp 2024-01-01$/,
  );
  assertThrows(
    () => validateSettings({ container_auth_data: doc.container_auth_data }),
    /key 'container_auth_data': expected a mapping, got binary data \(!!binary\)$/,
  );
  assertThrows(
    () => validateSettings({ fact_cache: doc.fact_cache }),
    /key 'fact_cache': expected a string, got a timestamp 2024-01-01 10:00:00$/,
  );
  const date = await parseYaml("2024-01-01");
  assertThrows(() => validateSettings(date), /must be a mapping/);
});

Deno.test("settings: camelCase library options map to settings keys", async () => {
  const { settingsFromCamelCase } = await import("./settings.ts");
  assertEquals(settingsFromCamelCase({ idleTimeout: 3, suppressAnsiOutput: true, playbook: "x" }), {
    idle_timeout: 3,
    suppress_ansi_output: true,
  });
});
