import { assertEquals } from "../testing/assert.ts";
import { compilePythonRegex } from "../config/py_regex.ts";
import { KeyPrompts } from "./ssh_agent.ts";

const AWX = { pattern: compilePythonRegex("Enter passphrase for .*:\\s*?$"), answer: "pw" };
const ASK = "Enter passphrase for /pdd/artifacts/1/ssh_key_data: ";

Deno.test("ssh-add prompts: a passphrase prompt is answered once, then the key loads", () => {
  const k = new KeyPrompts([AWX]);
  assertEquals(k.feed(ASK), ["pw\n"]);
  assertEquals(k.stuck(true), null, "silent after the answer: deriving the key");
  assertEquals(k.feed("\r\nIdentity added: /pdd/artifacts/1/ssh_key_data (c)\r\n"), []);
  assertEquals(k.stuck(true), null);
  assertEquals(k.output, `${ASK}\r\nIdentity added: /pdd/artifacts/1/ssh_key_data (c)\r\n`);
});

Deno.test("ssh-add prompts: a prompt nothing answers is stuck once quiet, and says which", () => {
  const k = new KeyPrompts([]);
  assertEquals(k.feed("Enter passphrase for /pdd/artifacts/1/ssh_key_data"), []);
  assertEquals(k.stuck(false), null, "still printing");
  assertEquals(k.feed(": "), []);
  assertEquals(
    k.stuck(true),
    'env/ssh_key needs a passphrase: ssh-add asks "Enter passphrase for ' +
      '/pdd/artifacts/1/ssh_key_data:" and no pattern in env/passwords matches it ' +
      '(AWX\'s is "Enter passphrase for .*:\\s*?$")',
  );
});

Deno.test("ssh-add prompts: a refused passphrase is stuck, asked again or answered too often", () => {
  const k = new KeyPrompts([AWX]);
  k.feed(ASK);
  assertEquals(k.feed("\r\nBad passphrase, try again for /k: "), [], "AWX's pattern is not this");
  assertEquals(
    k.stuck(true),
    'ssh-add refused the passphrase env/passwords gives for env/ssh_key: it asks "Bad ' +
      'passphrase, try again for /k:"',
  );
  const loose = new KeyPrompts([{ pattern: compilePythonRegex("passphrase.*: $"), answer: "x" }]);
  for (let i = 0; i < 4; i++) loose.feed(i ? "\r\nBad passphrase, try again for /k: " : ASK);
  assertEquals(
    loose.stuck(false),
    "ssh-add refused the passphrase env/passwords gives for env/ssh_key 4 times",
  );
});

Deno.test("ssh-add prompts: why ssh-add failed, in words", () => {
  const k = new KeyPrompts([AWX]);
  k.feed(ASK);
  k.feed("\r\nBad passphrase, try again for /k: \r\n");
  assertEquals(
    k.failure(1),
    "ssh-add refused the passphrase env/passwords gives for env/ssh_key: ssh-add gave up at " +
      '"Bad passphrase, try again for /k:"',
  );
  const bad = new KeyPrompts([]);
  bad.feed('Error loading key "/k": invalid format\r\n');
  assertEquals(
    bad.failure(1),
    'ssh-add could not load env/ssh_key: Error loading key "/k": invalid format',
  );
  assertEquals(new KeyPrompts([]).failure(2), "ssh-add could not load env/ssh_key: exit 2");
});
