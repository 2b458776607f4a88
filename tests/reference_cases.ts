/**
 * The side-by-side cases: runner and Debian's Python ansible-runner on the same private data
 * dir must give the same status, rc, sequence of event types, events and stdout text. Defined
 * here, registered by reference_test.ts (Debian 12's ansible-runner 2.3 and ansible-core 2.14)
 * and reference_newer_ansible_test.ts (Debian 13's ansible-runner 2.4 and ansible-core 2.19, as
 * execution environments run today).
 */
import { join } from "node:path";
import { assert, assertEquals } from "../src/testing/assert.ts";
import {
  artifact,
  cleanup,
  type EventFile,
  LOCAL_INVENTORY,
  makePdd,
  makeSshKey,
  readEvents,
  ROOT,
  runner,
} from "./helpers.ts";

const REFERENCE = "/usr/bin/ansible-runner";

const PLAYS: Record<string, string> = {
  demo: await Deno.readTextFile(join(ROOT, "demo/project/test.yml")),
  mixed: `- name: Mixed results
  hosts: all
  gather_facts: false
  tasks:
    - name: loop
      ansible.builtin.debug: msg="item {{ item }}"
      loop: [a, b, c]
    - name: skipped
      ansible.builtin.debug: msg=never
      when: false
    - name: changed
      ansible.builtin.command: echo changed
    - name: failing but ignored
      ansible.builtin.fail: msg=ignored
      ignore_errors: true
    - name: rescued
      block:
        - ansible.builtin.fail: msg=rescue-me
      rescue:
        - ansible.builtin.debug: msg=rescued
`,
  failing: `- hosts: all
  gather_facts: false
  tasks:
    - ansible.builtin.command: /bin/false
    - ansible.builtin.debug: msg=unreached
`,
};

/** `value` encrypted with ansible-vault under `password`, as a vars file naming it `name`. */
async function vaultedVar(name: string, value: string, password: string): Promise<string> {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dir, "pw"), password);
    const out = await new Deno.Command("ansible-vault", {
      args: ["encrypt_string", "--vault-password-file", join(dir, "pw"), "--name", name, value],
      stderr: "null",
    }).output();
    return new TextDecoder().decode(out.stdout);
  } finally {
    await cleanup(dir);
  }
}

/** event_data values that are the same in every run of a case, so both runners must agree. */
const FIXED = [
  "play",
  "play_pattern",
  "name",
  "pattern",
  "task",
  "task_action",
  "task_args",
  "resolved_action",
  "role",
  "resolved_role",
  "is_conditional",
  "host",
  "remote_addr",
  "event_loop",
  "verbose",
  "warning",
  // playbook_on_stats
  "changed",
  "dark",
  "failures",
  "ignored",
  "ok",
  "processed",
  "rescued",
  "skipped",
  "artifact_data",
];

/** One side-by-side case: files of the private data dir and the run's arguments. */
interface Case {
  files: Record<string, string>;
  args: string[];
  /** The exit code the case is written for (default 0): a case that fails early in both
   * runners would otherwise pass while comparing next to nothing. */
  rc?: number;
  /** Files of `files` made executable. */
  executable?: string[];
  /** Why the recorded command lines differ, when they do. */
  commandDiffers?: string;
}

// No pause, no several hosts: what a worker prints (pause's lines) and callbacks sent from
// workers reach the terminal through Ansible's results thread, in an order that varies from run
// to run under load, in both runners. Tried side by side: the events agree otherwise.
const CASES: Record<string, Case> = {
  ...Object.fromEntries(
    Object.entries(PLAYS).map(([name, play]) => [
      name,
      {
        files: { "project/test.yml": play },
        args: ["-p", "test.yml"],
        rc: play === PLAYS.failing ? 2 : 0,
      },
    ]),
  ),
  "handlers, include, async, diff, no hosts, unreachable": {
    files: {
      "inventory/hosts": LOCAL_INVENTORY +
        "bad ansible_host=127.0.0.1 ansible_port=1 ansible_connection=ssh\n",
      "project/inc.yml": "- ansible.builtin.debug: msg=included\n",
      "project/test.yml": `- hosts: localhost
  gather_facts: false
  handlers:
    - name: restart
      ansible.builtin.debug: msg=handler-ran
  tasks:
    - name: notify
      ansible.builtin.command: echo hi
      notify: restart
    - name: include
      ansible.builtin.include_tasks: inc.yml
    # Ansible sleeps a poll's length before each look: one look (at 2 s) finds it running,
    # the next (at 4 s) done, with a second of margin either way for a loaded machine.
    - name: async
      ansible.builtin.command: sleep 3
      async: 20
      poll: 2
    - name: copy with diff
      ansible.builtin.copy:
        content: "hello\\n"
        dest: "{{ playbook_dir }}/out.txt"
      diff: true
- hosts: nothere
  tasks: []
- hosts: bad
  gather_facts: false
  tasks:
    - ansible.builtin.ping:
`,
    },
    args: ["-p", "test.yml"],
    rc: 4, // the unreachable host
  },
  "a playbook Ansible cannot read": {
    files: { "project/test.yml": "- hosts: all\n  tasks:\n    - debug: msg=a\n   bad: [\n" },
    args: ["-p", "test.yml"],
    rc: 4,
  },
  // -v, not -vvv: from -vvv on, the workers' own lines come through two processes writing to
  // one terminal, in an order neither runner controls.
  "-v: verbose lines and their verbosity": {
    files: { "project/test.yml": PLAYS.failing },
    args: ["-p", "test.yml", "-v"],
    rc: 2,
  },
  // --roles-path: ansible-runner 2.3.1 does not look in <pdd>/roles by itself (runner does).
  "a role (-r)": {
    files: {
      "roles/greet/tasks/main.yml":
        "- ansible.builtin.debug: msg=hi-from-role\n- ansible.builtin.debug: var=who\n- ansible.builtin.debug: var=n\n" +
        "- ansible.builtin.debug: var=f\n- ansible.builtin.debug: var=l\n- ansible.builtin.debug: var=z\n",
    },
    args: [
      "-r",
      "greet",
      "--hosts",
      "localhost",
      "--roles-path",
      "<pdd>/roles",
      "--role-vars",
      // Python literals: a float stays one (1.0), a list a list, 01 (no literal) text.
      "who=world n=3 f=1.0 l=[1,'a',(2,)] z=01",
    ],
  },
  // A playbook in a subdir: events name it as given, not by its base name.
  "gathering facts": {
    files: {
      "project/plays/facts.yml":
        "- hosts: all\n  tasks:\n    - ansible.builtin.debug: var=ansible_facts.system\n",
    },
    args: ["-p", "plays/facts.yml"],
  },
  // Python's \w is Unicode: the pattern matches "Contraseña" in both runners.
  "a prompt matched by a Unicode \\w": {
    files: {
      "project/test.yml": `- hosts: all
  gather_facts: false
  vars_prompt:
    - name: clave
      prompt: Contraseña de root
      private: true
  tasks:
    - ansible.builtin.debug: msg="{{ clave | length }}"
`,
      "env/passwords": '"Contrase\\\\w+ de \\\\w+:": "clave-1"\n',
    },
    args: ["-p", "test.yml"],
  },
  "vars_prompt, retries, no_log, skipped items, set_stats, meta, args shown": {
    files: {
      "project/test.yml": `- hosts: all
  gather_facts: false
  vars_prompt:
    - name: code
      prompt: Enter the code
      private: true
  tasks:
    - name: retried
      ansible.builtin.command: /bin/false
      register: r
      retries: 2
      delay: 0
      until: r.rc == 0
      ignore_errors: true
    - name: secret loop
      ansible.builtin.debug: msg="{{ item }}"
      loop: [1, 2]
      no_log: true
    - name: secret command
      ansible.builtin.command: echo hidden
      no_log: true
    - name: secret failure
      ansible.builtin.command: /bin/false
      no_log: true
      ignore_errors: true
    - name: some items skipped
      ansible.builtin.debug: msg="{{ item }}"
      loop: [1, 2, 3]
      when: item != 2
    - name: only at -v
      ansible.builtin.debug:
        msg: quiet
        verbosity: 1
    - ansible.builtin.set_stats:
        data: { answer: 42 }
    - ansible.builtin.meta: flush_handlers
    - name: with_items
      ansible.builtin.debug: msg="{{ item }}"
      with_items: [x]
    - ansible.builtin.meta: end_play
    - ansible.builtin.debug: msg=never
`,
      "env/passwords": '{"Enter the code": "s3cret-code"}\n',
      // Task starts then carry their arguments (censored for no_log tasks), in both runners.
      "env/envvars": "ANSIBLE_DISPLAY_ARGS_TO_STDOUT: 'True'\n",
    },
    args: ["-p", "test.yml"],
  },
  "include_role, import_tasks, failed_when, check mode": {
    files: {
      "roles/r1/tasks/main.yml":
        "- ansible.builtin.debug: msg=in-r1\n- ansible.builtin.include_tasks: more.yml\n",
      "roles/r1/tasks/more.yml": "- name: more\n  ansible.builtin.debug: msg=more\n",
      "project/tasks.yml":
        "- name: imported\n  ansible.builtin.command: echo imported\n  changed_when: false\n",
      "project/test.yml": `- hosts: all
  gather_facts: false
  tasks:
    - ansible.builtin.include_role:
        name: r1
    - ansible.builtin.import_tasks: tasks.yml
    - name: failed_when
      ansible.builtin.command: echo x
      failed_when: true
      ignore_errors: true
    - name: file in check mode
      ansible.builtin.file:
        path: /nonexistent-dir/x
        state: absent
      check_mode: true
`,
    },
    args: ["-p", "test.yml", "--roles-path", "<pdd>/roles"],
  },
  "ad hoc, -v": {
    files: {},
    args: ["-m", "ansible.builtin.command", "-a", "echo ad hoc", "--hosts", "localhost", "-v"],
  },
  "--only-failed-event-data": {
    files: { "project/test.yml": PLAYS.mixed },
    args: ["-p", "test.yml", "--only-failed-event-data"],
  },
  "--omit-event-data": {
    files: { "project/test.yml": PLAYS.mixed },
    args: ["-p", "test.yml", "--omit-event-data"],
  },
  "include_vars, assert, block/always, nested vars": {
    files: {
      "project/vars.yml": "answer: 42\n",
      "project/test.yml": `- hosts: all
  gather_facts: false
  tasks:
    - ansible.builtin.include_vars: vars.yml
    - ansible.builtin.assert:
        that: answer == 41
        fail_msg: "not 41 — ünïcode"
      ignore_errors: true
    - block:
        - ansible.builtin.fail: msg=inner
      always:
        - ansible.builtin.debug: msg=always-ran
      ignore_errors: true
    - ansible.builtin.debug:
        var: nested
      vars:
        nested: { a: [1, { b: "ü" }], c: null }
`,
    },
    args: ["-p", "test.yml"],
  },
  // -j: every line as ansible-runner prints it (layout, key order), but for run-dependent values.
  "demo with -j": {
    files: { "project/test.yml": PLAYS.demo, "env/passwords": '{"^SSH password:": "x"}\n' },
    args: ["-p", "test.yml", "-j"],
  },
  // -j: lines printed outside any event (a program's) stay text, in the console and stdout.
  // The programs linger a moment, as the -b case's does: ansible-runner loses the output of one
  // that exits at once.
  "a program's lines with -j": {
    files: {
      "project/test.yml": "",
      "project/lines.sh": "#!/bin/sh\necho one\necho\necho two\nsleep 0.3\n",
    },
    executable: ["project/lines.sh"],
    args: ["-p", "test.yml", "-b", "<pdd>/project/lines.sh", "-j"],
  },
  // Lines cut where Python's splitlines() cuts them: a progress bar's \r, a form feed, U+2028.
  "a program's progress bar and page breaks": {
    files: {
      "project/test.yml": "",
      "project/bar.sh": "#!/bin/bash\nprintf 'step 1\\rstep 2\\rdone\\n\\n'\n" +
        "printf 'a\\fb\\vc\\x1c\\x1dd\\x1ee\\n'\nprintf 'l1\\xe2\\x80\\xa8l2\\xc2\\x85l3\\r\\r\\n'\n" +
        "printf 'x\\ry\\n'\nsleep 0.3\n",
    },
    executable: ["project/bar.sh"],
    args: ["-p", "test.yml", "-b", "<pdd>/project/bar.sh"],
  },
  // A line of 2 MB with no newline for a while: runner spills it, as it comes, to a file.
  "a program's 2 MB line": {
    files: {
      "project/test.yml": "",
      "project/long.sh": "#!/bin/bash\nhead -c 2000000 /dev/zero | tr '\\0' a\n" +
        "printf '\\rdone\\r\\n'\nsleep 0.3\n",
    },
    executable: ["project/long.sh"],
    args: ["-p", "test.yml", "-b", "<pdd>/project/long.sh"],
  },
  "ad hoc": {
    files: {},
    args: ["-m", "ansible.builtin.command", "-a", "echo ad hoc", "--hosts", "localhost"],
  },
  // serial: one host after the other, so the same task starts again (in a fixed order).
  "serial over two hosts": {
    files: {
      "inventory/hosts": LOCAL_INVENTORY + "second " +
        LOCAL_INVENTORY.split(" ").slice(1).join(" "),
      "project/test.yml": `- hosts: all
  gather_facts: false
  serial: 1
  tasks:
    - ansible.builtin.debug: msg="{{ inventory_hostname }}"
`,
    },
    args: ["-p", "test.yml"],
  },
  // env/cmdline and --limit reach the command line in the same place; tags skip tasks alike.
  "env/cmdline tags, --limit, --forks": {
    files: {
      "env/cmdline": "--tags shown --skip-tags hidden\n",
      "project/test.yml": `- hosts: all
  gather_facts: false
  serial: 1
  tasks:
    - ansible.builtin.debug: msg=shown
      tags: [shown]
    - ansible.builtin.debug: msg=hidden
      tags: [shown, hidden]
    - ansible.builtin.debug: msg=untagged
`,
    },
    args: ["-p", "test.yml", "--limit", "localhost", "--forks", "3"],
  },
  // A managed host's warning that holds frames like the plugin's: text, not events (a forged
  // event, or an early end of the real one), as in ansible-runner.
  "forged frames in a module's warnings": {
    files: {
      "project/library/forge.py": `#!/usr/bin/python3
import json
E = "\\x1b"
frame = E + '_RNR{"event": "runner_on_ok", "uuid": "1", "event_data": {"host": "spoofed"}}' + E + "\\\\"
end = E + "_RNR." + E + "\\\\"
print(json.dumps({"changed": False, "warnings": ["W " + frame + "x" + end], "msg": "m"}))
`,
      "project/test.yml":
        "- hosts: all\n  gather_facts: false\n  tasks:\n    - forge:\n    - ansible.builtin.debug: msg=after\n",
    },
    args: ["-p", "test.yml"],
  },
  // ansible-runner's way to run a program: -b beside -p, which is then not passed on. The
  // program lingers a moment: ansible-runner loses the output of one that exits at once.
  "a binary (-b with -p)": {
    files: {
      "project/test.yml": PLAYS.demo,
      "env/extravars": "a: 1\n",
      "prog": '#!/bin/sh\necho "args: $*"\nsleep 0.3\n',
    },
    executable: ["prog"],
    args: ["-p", "test.yml", "-b", "<pdd>/prog", "--forks", "2"],
  },
  // What ssh-add prints (the prompt, "Identity added: …") opens the stdout of both.
  "env/ssh_key with a passphrase, answered as AWX does": {
    files: {
      "project/test.yml": PLAYS.demo,
      "env/ssh_key": await makeSshKey("locked", "pp-1234"),
      "env/passwords": '"Enter passphrase for .*:\\\\s*?$": "pp-1234"\n',
    },
    args: ["-p", "test.yml"],
    // ansible-runner's wraps the playbook in `ssh-agent sh -c "ssh-add FIFO && …"`; runner
    // loads the agent itself and records the ansible-playbook it ran, with SSH_AUTH_SOCK.
    commandDiffers: "ssh-agent",
  },
  // What AWX asks for with vault and become credentials: prompts before the first event.
  "--ask-pass, --ask-vault-pass, --ask-become-pass answered with AWX's patterns": {
    files: {
      "project/vars.yml": await vaultedVar("sealed", "opened-value", "vault-pw-1"),
      "project/test.yml": `- hosts: all
  gather_facts: false
  vars_files: [vars.yml]
  tasks:
    - ansible.builtin.debug: msg="{{ sealed }}"
    - ansible.builtin.command: id -un
      become: true
      changed_when: false
`,
      "env/cmdline": "--ask-pass --ask-vault-pass --ask-become-pass\n",
      // AWX's own patterns (with --ask-pass, Ansible asks "BECOME password[defaults to SSH
      // password]:").
      "env/passwords": [
        '"Vault password:\\\\s*?$": "vault-pw-1"',
        '"BECOME password.*:\\\\s*?$": "become-pw"',
        '"SSH password:\\\\s*?$": "ssh-pw"',
      ].join("\n") + "\n",
    },
    args: ["-p", "test.yml"],
  },
  // Two plays from two files; delegation (to a host not in the inventory too), run_once, the
  // free strategy, a rescue, an ignored failure, a loop label hiding item fields, end_play.
  "import_playbook, delegate_to, run_once, free strategy, rescue, loop label, end_play": {
    files: {
      "project/first.yml": `- name: first
  hosts: all
  gather_facts: false
  tasks:
    - ansible.builtin.set_fact: a=1
      changed_when: true
      notify: h
    - name: delegated elsewhere
      ansible.builtin.debug: msg=x
      delegate_to: otherhost
      vars: { ansible_connection: local }
  handlers:
    - name: h
      ansible.builtin.debug: msg=handled
`,
      "project/test.yml": `- ansible.builtin.import_playbook: first.yml
- name: second
  hosts: all
  gather_facts: false
  strategy: free
  tasks:
    - name: delegated
      ansible.builtin.command: echo hi
      delegate_to: localhost
      run_once: true
    - block:
        - ansible.builtin.fail: msg=boom
      rescue:
        - ansible.builtin.debug: var=ansible_failed_result.msg
    - name: ignored
      ansible.builtin.command: /bin/false
      ignore_errors: true
    - name: labelled
      ansible.builtin.debug: msg="{{ item.n }}"
      loop: [{ n: 1, hidden: x }, { n: 2, hidden: y }]
      loop_control: { label: "{{ item.n }}" }
    - ansible.builtin.meta: end_play
    - ansible.builtin.debug: msg=never
`,
    },
    args: ["-p", "test.yml"],
  },
  // No stdout nor stderr file, in both (events, status, rc and command are still written).
  "suppress_output_file": {
    files: { "project/test.yml": PLAYS.demo, "env/settings": "suppress_output_file: true\n" },
    args: ["-p", "test.yml"],
  },
  "own stdout callback (minimal)": {
    files: { "project/test.yml": PLAYS.mixed, "env/envvars": "ANSIBLE_STDOUT_CALLBACK: minimal\n" },
    args: ["-p", "test.yml"],
  },
};

/** Which ansible-runner and Ansible the cases run beside runner. */
export interface Reference {
  /** In the tests' names, e.g. "ansible-runner 2.4.1, ansible-core 2.19.11"; "" for Debian 12's. */
  label: string;
  /** What selects them for both runners (PATH, PYTHONPATH). */
  env?: Record<string, string>;
  /**
   * ansible-runner before 2.4 writes naive UTC times ("…T13:09:02.283724"), 2.4 and runner
   * aware ones ("…T13:09:02.283724+00:00"): with an older one, only runner's must be aware.
   */
  naiveTimes?: boolean;
}

/** Registers one test per case. */
export function defineReferenceTests(reference: Reference): void {
  for (const [name, c] of Object.entries(CASES)) {
    defineCase(
      `reference${reference.label ? ` (${reference.label})` : ""}: '${name}'`,
      c,
      reference,
    );
  }
}

/** An event time as Python's aware `isoformat()` writes it in UTC. */
const AWARE_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$/;

function defineCase(title: string, c: Case, reference: Reference): void {
  const env = reference.env ?? {};
  Deno.test(`${title} matches Python ansible-runner (status, rc, events, stdout)`, async () => {
    const files = { "inventory/hosts": LOCAL_INVENTORY, ...c.files };
    const ours = await makePdd(files);
    const theirs = await makePdd(files);
    for (const f of c.executable ?? []) {
      for (const pdd of [ours, theirs]) await Deno.chmod(join(pdd, f), 0o755);
    }
    try {
      // A "<pdd>/" argument names a path in each side's own private data dir.
      const args = (pdd: string) => c.args.map((a) => a.replace(/^<pdd>\//, `${pdd}/`));
      const r = await runner(["run", ours, ...args(ours), "-i", "x"], { env });
      const ref = await new Deno.Command(REFERENCE, {
        args: ["run", theirs, ...args(theirs), "-i", "x"],
        env: { NO_COLOR: "1", ...env },
        stdout: "piped",
        stderr: "piped",
      }).output();
      assertEquals(
        ref.code,
        c.rc ?? 0,
        `the case's exit code: ${new TextDecoder().decode(ref.stdout).slice(-800)}`,
      );
      assertEquals(r.code, ref.code, "exit code");
      const entries = async (pdd: string) =>
        (await Array.fromAsync(Deno.readDir(join(pdd, "artifacts", "x")))).map((e) => e.name)
          .sort();
      const files = await entries(ours);
      assertEquals(files, await entries(theirs), "artifact files");
      assertEquals(await artifact(ours, "x", "status"), await artifact(theirs, "x", "status"));
      assertEquals(await artifact(ours, "x", "rc"), await artifact(theirs, "x", "rc"));
      const a = await readEvents(join(ours, "artifacts", "x"));
      const b = await readEvents(join(theirs, "artifacts", "x"));
      assertEquals(a.map((e) => e.event), b.map((e) => e.event), "event types");
      assertEquals(
        a.map((e) => [e.start_line, e.end_line]),
        b.map((e) => [e.start_line, e.end_line]),
        "line numbers",
      );
      const normalize = (s: string) =>
        s.replaceAll(ours, "PDD").replaceAll(theirs, "PDD")
          .replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+/g, "TIME")
          .replace(/"delta": "[\d:.]+"/g, '"delta": "D"')
          .replace(/jid=j[\d.]+/g, "jid=J")
          .replace(/\/ansible-local-[\w/]+/g, "/TMP")
          .replace(/ansible-tmp-[\d.-]+/g, "ansible-tmp-T")
          .replace(/(Loading callback plugin awx_display of type stdout, v2\.0 from ).*/g, "$1P")
          .replace(/"(start|end)": "[\d-]+ [\d:.]+"/g, '"$1": "T"')
          // -j lines: what differs between any two runs
          .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "UUID")
          .replace(/"(created|start|end)": "[\dT:.-]+(\+00:00)?"/g, '"$1": "T$2"')
          .replace(/"(pid|duration)": [\d.e-]+/g, '"$1": 0');
      // A line printed outside any event (a prompt's) keeps its \r\n in ansible-runner's stdout
      // when its end comes in a read of its own, and loses it when the next event's record
      // comes in the same read: in both runners a matter of timing, so not compared.
      const stdout = async (pdd: string) => {
        const text = normalize(await artifact(pdd, "x", "stdout"))
          .replace(/^((?:Enter the code|Contraseña de root): )\r\n/m, "$1\n");
        // (runner's times are checked below)
        return pdd === ours && reference.naiveTimes ? text.replaceAll('"T+00:00"', '"T"') : text;
      };
      if (files.includes("stdout")) assertEquals(await stdout(ours), await stdout(theirs));
      // The command line, and the playbook each event names: the same, but for the private
      // data dir's path and the name of a role's generated playbook.
      const generated = (s: string) => normalize(s).replace(/\b[0-9a-f]{32}\b/g, "GEN");
      const argv = async (pdd: string) =>
        JSON.parse(await artifact(pdd, "x", "command")).command.map(generated);
      if (!c.commandDiffers) assertEquals(await argv(ours), await argv(theirs), "command");
      for (let i = 0; i < a.length; i++) {
        const what = `${a[i].event} #${i + 1}`;
        const keys = (o: object) => Object.keys(o).sort();
        assertEquals(Object.keys(a[i]), Object.keys(b[i]), `keys of ${what}`);
        // In the same order, as `-j` lines and event files are read by people and scripts.
        assertEquals(
          Object.keys(a[i].event_data ?? {}),
          Object.keys(b[i].event_data ?? {}),
          `event_data of ${what}`,
        );
        // A task's uuid again (serial, the free strategy): ansible-runner numbers the repeats.
        const shape = (e: EventFile) => String(e.uuid).replace(/^[0-9a-f-]{36}/, "U");
        assertEquals(shape(a[i]), shape(b[i]), `uuid of ${what}`);
        assertEquals(a[i].verbosity, b[i].verbosity, `verbosity of ${what}`);
        const times = (e: EventFile) => {
          const d = (e.event_data ?? {}) as Record<string, unknown>;
          return [e.created, ...("start" in d ? [d.start, d.end] : [])].map(String);
        };
        for (const t of times(a[i])) assert(AWARE_UTC.test(t), `${what}: time ${t}`);
        if (!reference.naiveTimes) {
          for (const t of times(b[i])) assert(AWARE_UTC.test(t), `${what}: reference's time ${t}`);
        }
        // Values that do not change from run to run (not uuids, times, paths or results).
        const fixed = (e: EventFile) => {
          const d = (e.event_data ?? {}) as Record<string, unknown>;
          // (task_args of a result name the run's temp dir)
          return FIXED.map((k) => [k, typeof d[k] === "string" ? normalize(d[k] as string) : d[k]]);
        };
        assertEquals(fixed(a[i]), fixed(b[i]), `event_data values of ${what}`);
        const playbook = (e: EventFile) =>
          generated(String((e.event_data as { playbook?: string } | undefined)?.playbook));
        assertEquals(playbook(a[i]), playbook(b[i]), `playbook of ${what}`);
        // Results whole (censored no_log results included), but for what changes between
        // runs: times, async job ids, temp names, and the facts' values (gathered in an order
        // that varies: their names are compared).
        const res = (e: EventFile) => (e.event_data as { res?: unknown } | undefined)?.res;
        const resText = (e: EventFile) => {
          const r = res(e);
          if (!r || typeof r !== "object") return r;
          const { start: _s, end: _e, delta: _d, ansible_facts: facts, ...rest } = r as Record<
            string,
            unknown
          >;
          const factNames = facts && typeof facts === "object" ? keys(facts).join(",") : null;
          return normalize(JSON.stringify({ ...rest, factNames }))
            .replace(/j\d+\.\d+/g, "J").replace(/"tmp\w{8}"/g, '"TMP"')
            // the temp file a copy's content went through (named so from Ansible 2.19 on)
            .replace(/"_original_basename":"\.\w{8}"/g, '"_original_basename":"TMP"');
        };
        assertEquals(resText(a[i]), resText(b[i]), `res of ${what}`);
      }
    } finally {
      await cleanup(ours);
      await cleanup(theirs);
    }
  });
}
