# runner's stdout callback: prints what Ansible's default callback prints and
# frames every callback's text with an in-band event record.
#
# Protocol (read by src/events/parser.ts):
#   ESC _ R N R { JSON event } ESC \     begins an event; its text follows
#   ESC _ R N R . ESC \                  ends the current event
# APC strings are ignored by terminals and cost no file write per event. The JSON
# is ASCII-only and escapes every control character, so it holds no ESC (it cannot
# end the string early) and no newline (the PTY leaves it alone). The runner
# assigns counters and line numbers; this side only describes the event.
from __future__ import annotations

DOCUMENTATION = """
    name: awx_display
    type: stdout
    short_description: runner event stream (default output plus event records)
    description:
      - Wraps the default stdout callback and frames each callback's output with an event record.
    extends_documentation_fragment:
      - default_callback
    requirements:
      - set as stdout callback in configuration
"""

import datetime
import functools
import json
import multiprocessing
import os
import sys
import threading

from ansible import constants as C
from ansible.plugins.callback.default import CallbackModule as DefaultCallbackModule
from ansible.plugins.loader import callback_loader
from ansible.utils.display import Display
from ansible.utils.unsafe_proxy import AnsibleUnsafeText

IS_ADHOC = bool(os.environ.get("AD_HOC_COMMAND_ID"))


def _base_class():
    """The callback whose output we print: the user's own stdout callback, if they set one
    (runner passes it as ORIGINAL_STDOUT_CALLBACK), else `minimal` for ad-hoc commands, as the
    `ansible` command prints, else `default`."""
    name = os.environ.get("ORIGINAL_STDOUT_CALLBACK") or ("minimal" if IS_ADHOC else "default")
    if name != "awx_display":
        try:
            plugin = callback_loader.get(name)
            if plugin is not None:
                return plugin.__class__
        except Exception:
            pass
    return DefaultCallbackModule


BaseCallbackModule = _base_class()

CENSORED = "the output has been hidden due to the fact that 'no_log: true' was specified for this result"
FAILED_EVENTS = ("runner_on_failed", "runner_on_async_failed", "runner_item_on_failed")
# Fact gathering, by its short and full names: its ansible_env stays out of events.
FACT_ACTIONS = ("setup", "gather_facts")
FACT_RESOLVED = tuple(ns + a for ns in ("ansible.builtin.", "ansible.legacy.") for a in FACT_ACTIONS)

# One frame at a time on the terminal, across threads and the forks (WorkerProcess) Ansible
# makes. A process-shared lock: a fork made while a thread of the main process held a thread
# lock would inherit it held, with no owner left to release it, and hang at its first display.
_lock = multiprocessing.RLock()
_state = threading.local()


def _env_true(name):
    return os.environ.get(name, "False").lower() == "true"


def _utcnow():
    # Aware, as ansible-runner 2.4 writes its times ("…+00:00"): a reader in any language
    # reads them as UTC, where a naive time is taken as local (and utcnow() is deprecated).
    return datetime.datetime.now(datetime.timezone.utc)


def _now():
    return _utcnow().isoformat()


def _write_raw(text):
    stream = sys.stdout
    stream.write(text)
    stream.flush()


# Made once: json.dumps(default=...) builds an encoder at every call. ASCII-only: see the
# protocol above.
_ENCODER = json.JSONEncoder(default=str, ensure_ascii=True)


def _uuid4():
    """A random (version 4) UUID's text, at half the cost of str(uuid.uuid4()): two are made
    per host and task."""
    b = bytearray(os.urandom(16))
    b[6] = (b[6] & 0x0F) | 0x40
    b[8] = (b[8] & 0x3F) | 0x80
    h = b.hex()
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])


# Every frame carries the job's token (the start of its marker, which only runner and the job's
# own processes know): text a managed host sends back (a module's warning) may hold frames too,
# and without the token they stay text instead of opening or closing events.
_OPEN = "\x1b_RNR" + os.environ.get("RUNNER_JOB_MARKER", "")[:13]
_CLOSE = _OPEN + ".\x1b\\"


def _begin(record, end=""):
    payload = _ENCODER.encode(record)
    _write_raw(_OPEN + payload + "\x1b\\" + end)


def _end():
    _write_raw(_CLOSE)


# Reprs that print a string whole between quotes: str's, and the one Ansible gives its unsafe
# text (results are full of it), which returns str's repr as unsafe text.
_STRING_REPRS = (str.__repr__, AnsibleUnsafeText.__repr__)


def _repr_floor(value, limit):
    """A lower bound of len(str(value)), counted only until it passes `limit`. Plain strings,
    lists, tuples and dicts count what their repr must print at least (read through the base
    type, as repr reads them, whatever a subclass overrides); any other value counts nothing,
    so the bound holds whatever its repr is. A container met again is not counted again."""
    total = 0
    seen = set()
    stack = [value]
    while stack and total <= limit:
        v = stack.pop()
        shown = type(v).__repr__
        if isinstance(v, str) and shown in _STRING_REPRS:
            total += str.__len__(v) + 2
        elif id(v) in seen:
            continue
        elif isinstance(v, dict) and shown is dict.__repr__:
            seen.add(id(v))
            n = dict.__len__(v)
            total += 2 + 2 * max(n - 1, 0) + 2 * n
            stack.extend(dict.keys(v))
            stack.extend(dict.values(v))
        elif isinstance(v, (list, tuple)) and shown in (list.__repr__, tuple.__repr__):
            seen.add(id(v))
            base = list if isinstance(v, list) else tuple
            total += 2 + 2 * max(base.__len__(v) - 1, 0)
            stack.extend(base.__iter__(v))
    return total


def _longer_than(value, limit):
    """len(str(value)) > limit, as ansible-runner decides to drop a result, without building
    the whole text of a huge one (that took ~40 ms for 200,000 lines, in Ansible's own process)."""
    if isinstance(value, str) or type(value).__str__ is not object.__str__:
        return len(str(value)) > limit  # str() of these is not their repr
    return _repr_floor(value, limit) > limit or len(str(value)) > limit


def _in_event():
    return getattr(_state, "depth", 0) > 0


class _Emitter(object):
    """Builds event records and frames the text printed while one is open."""

    def __init__(self):
        self.omit = _env_true("RUNNER_OMIT_EVENTS")
        self.only_failed = _env_true("RUNNER_ONLY_FAILED_EVENTS")
        self.max_res = int(os.environ.get("MAX_EVENT_RES", "700000"))
        self.context = {}
        # AWX's ids of the job, when it sets them, go into every record.
        self.ids = {}
        for key in ("job_id", "ad_hoc_command_id", "project_update_id"):
            value = os.environ.get(key.upper(), "")
            if value.isdigit():
                self.ids[key] = int(value)

    def record(self, event, data):
        data = dict(self.context, **data)
        event_uuid = data.get("uuid") or _uuid4()
        data["uuid"] = event_uuid
        record = {"event": event, "uuid": event_uuid, "pid": os.getpid(), "created": _now()}
        record.update(self.ids)
        parent = data.pop("parent_uuid", None)
        if not parent:
            for key in ("task_uuid", "play_uuid", "playbook_uuid"):
                if data.get(key) and data.get(key) != event_uuid:
                    parent = data[key]
                    break
        if parent:
            record["parent_uuid"] = parent
        if "verbosity" in data:
            record["verbosity"] = data.pop("verbosity")
        keep = not self.omit and (not self.only_failed or event in FAILED_EVENTS)
        if not keep:
            data = {}
        elif event != "playbook_on_stats" and "res" in data and _longer_than(data["res"], self.max_res):
            data["res"] = {}
        record["event_data"] = data
        return record

    def empty(self, event, data):
        """An event with no text, its frame written whole in one write: a fork's, whose text
        the main process prints (and frames). A terminal takes one write whole, so the frame
        cannot cut into a frame of the main process that is open at that moment."""
        with _lock:
            _begin(self.record(event, data), _CLOSE)

    def run(self, event, data, fn, *args, **kwargs):
        with _lock:
            _begin(self.record(event, data))
            _state.depth = getattr(_state, "depth", 0) + 1
            try:
                return fn(*args, **kwargs)
            finally:
                _state.depth -= 1
                _end()


# What a Display method's output outside any callback says about itself: each method marks it
# with its own name (event_data {name: True}); verbose() also gives its verbosity and host.
# The event is named after the first of these marks present, else "verbose", as with
# ansible-runner.
_EVENT_KINDS = ("debug", "verbose", "deprecated", "warning", "system_warning", "error")


def _verbose_marks(msg=None, host=None, caplevel=2, *_args, **_kwargs):
    marks = {"verbose": True, "verbosity": caplevel + 1}
    if host is not None:
        marks["remote_addr"] = host
    return marks


def _mark(name, marks):
    original = getattr(Display, name)

    @functools.wraps(original)
    def wrapper(self, *args, **kwargs):
        previous = getattr(_state, "marks", None)
        _state.marks = dict(previous or {}, **marks(*args, **kwargs))
        try:
            return original(self, *args, **kwargs)
        finally:
            _state.marks = previous

    setattr(Display, name, wrapper)


def _log_only(msg=None, color=None, stderr=False, screen_only=False, log_only=False, *_a, **_k):
    return log_only


def _patch_display():
    # Text Ansible prints outside a callback (warnings, deprecations, errors, -v lines) still
    # becomes an event of the matching kind. Only Display.display writes, so only it opens an
    # event: a debug() call that prints nothing makes no event, nor does a line for the log
    # file only.
    if getattr(Display, "_runner_patched", False):
        return
    names = ["banner", "deprecated", "error", "system_warning", "warning"]
    if C.DEFAULT_DEBUG:
        # Otherwise debug() prints nothing, and Ansible calls it ~15 times per task and host.
        names.append("debug")
    for name in names:
        if hasattr(Display, name):
            _mark(name, lambda *a, _name=name, **k: {_name: True})
    _mark("verbose", _verbose_marks)
    original = Display.display

    @functools.wraps(original)
    def display(self, *args, **kwargs):
        if _in_event() or _log_only(*args, **kwargs):
            return original(self, *args, **kwargs)
        marks = getattr(_state, "marks", None) or {}
        event = next((kind for kind in _EVENT_KINDS if marks.get(kind)), "verbose")
        if getattr(self, "_final_q", None):
            # A fork (WorkerProcess): Display sends the text to the main process, which prints
            # it. The event stays here, empty, as ansible-runner's plugin makes one.
            _emitter.empty(event, dict(marks))
            return original(self, *args, **kwargs)
        return _emitter.run(event, dict(marks), original, self, *args, **kwargs)

    Display.display = display
    Display._runner_patched = True


# At import, not when the callback is made: Ansible prints "Loading callback plugin …" (-vvvv)
# in between, and that line is an event too.
_emitter = _Emitter()
_patch_display()


class CallbackModule(BaseCallbackModule):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "stdout"
    CALLBACK_NAME = "awx_display"

    def __init__(self):
        super(CallbackModule, self).__init__()
        self._emitter = _emitter
        self._task_started = {}
        self._seen_uuids = set()
        self._repeats = {}

    def _numbered(self, uuid):
        """A play's or task's uuid, numbered when it starts again (serial, the free strategy):
        uuid, then uuid_2, uuid_3, ... as ansible-runner numbers them, keeping events apart."""
        if uuid in self._seen_uuids:
            self._repeats[uuid] = self._repeats.get(uuid, 1) + 1
            uuid = "%s_%d" % (uuid, self._repeats[uuid])
        self._seen_uuids.add(uuid)
        return uuid

    def set_options(self, *args, **kwargs):
        super(CallbackModule, self).set_options(*args, **kwargs)

    # -- context helpers -------------------------------------------------
    def _emit(self, event, data, fn, *args, **kwargs):
        return self._emitter.run(event, data, fn, *args, **kwargs)

    def _set_ctx(self, **values):
        for key, value in values.items():
            if value is None:
                self._emitter.context.pop(key, None)
            else:
                self._emitter.context[key] = value

    def _clear_task_ctx(self):
        for key in ("task", "task_uuid", "task_action", "resolved_action", "task_args", "task_path",
                    "role", "resolved_role"):
            self._emitter.context.pop(key, None)

    @staticmethod
    def _task_args(task):
        # Only where Ansible shows them (display_args_to_stdout), as ansible-runner records them.
        if not C.DISPLAY_ARGS_TO_STDOUT:
            return ""
        return CENSORED if task.no_log else ", ".join("%s=%s" % kv for kv in task.args.items())

    def _task_data(self, task):
        args = self._task_args(task)
        data = {
            # The task's own name: a role's tasks print as "role : name", and say their role apart.
            "task": task.name or task.action,
            "task_uuid": str(task._uuid),
            "task_action": task.action,
            "resolved_action": getattr(task, "resolved_action", None),
            "task_args": args,
            "task_path": task.get_path(),
        }
        role = getattr(task, "_role", None)
        if role is not None:
            data["role"] = role._role_name
            full = role.get_name() if hasattr(role, "get_name") else role._role_name
            if full != role._role_name:
                data["resolved_role"] = full  # a collection's role: its fully qualified name
        elif getattr(task, "role_name", ""):
            data["role"] = task.role_name
        return data

    @staticmethod
    def _clean_result(result):
        res = dict(result._result)
        if res.get("_ansible_no_log", False):
            # Only the notice, as ansible-runner records it (Ansible 2.19 marks censored
            # results so; 2.14's carry no mark and go as Ansible made them).
            res = {"censored": CENSORED}
        elif isinstance(res.get("results"), list):
            res["results"] = [
                {"censored": CENSORED} if isinstance(item, dict) and item.get("_ansible_no_log", False) else item
                for item in res["results"]
            ]
        return res

    def _host_data(self, result, timing=True, res=True, res_last=False, **extra):
        """Event data of a host result; which parts each event kind carries, and in which order
        (`res_last`: after the times), follows ansible-runner."""
        data = {"host": result._host.get_name()}
        if timing:
            data["remote_addr"] = result._host.address
        if res:
            data["res"] = self._clean_result(result)
        if timing:
            start = self._task_started.get((str(result._task._uuid), data["host"]))
            end = _utcnow()
            if start is not None:
                data["start"] = start.isoformat()
                data["end"] = end.isoformat()
                data["duration"] = (end - start).total_seconds()
        if res and res_last:
            data["res"] = data.pop("res")  # moved after the times
        data.update(extra)
        return data

    @staticmethod
    def _loop(task):
        # The with_<lookup> a task loops with; null for `loop:`, as ansible-runner records it.
        return getattr(task, "loop_with", None)

    # -- playbook-level callbacks ---------------------------------------
    def v2_playbook_on_start(self, playbook):
        playbook_uuid = _uuid4()
        # The path as ansible-playbook was given it (a subdir, or a role's absolute path), as
        # ansible-runner records it.
        self._set_ctx(playbook=getattr(playbook, "_file_name", "???"), playbook_uuid=playbook_uuid)
        self._emit("playbook_on_start", {"uuid": playbook_uuid},
                   super(CallbackModule, self).v2_playbook_on_start, playbook)

    def v2_playbook_on_vars_prompt(self, varname, private=True, prompt=None, encrypt=None,
                                   confirm=False, salt_size=None, salt=None, default=None, unsafe=None):
        data = {"varname": varname, "private": private, "prompt": prompt, "encrypt": encrypt,
                "confirm": confirm, "salt_size": salt_size, "salt": salt, "default": default, "unsafe": unsafe}
        self._emit("playbook_on_vars_prompt", data,
                   super(CallbackModule, self).v2_playbook_on_vars_prompt, varname, private, prompt,
                   encrypt, confirm, salt_size, salt, default, unsafe)

    def v2_playbook_on_include(self, included_file):
        data = {"included_file": included_file._filename}
        self._emit("playbook_on_include", data, super(CallbackModule, self).v2_playbook_on_include, included_file)

    def v2_playbook_on_play_start(self, play):
        if IS_ADHOC:
            return  # `ansible` sends playbook_on_start itself; ad-hoc runs have no play events
        play_uuid = self._numbered(str(play._uuid))
        play._uuid = play_uuid  # as ansible-runner does: a later repeat numbers from this one
        pattern = ",".join(play.hosts) if isinstance(play.hosts, list) else play.hosts
        self._clear_task_ctx()
        self._set_ctx(play=play.get_name(), play_uuid=play_uuid, play_pattern=pattern)
        data = {"name": play.get_name(), "pattern": pattern, "uuid": play_uuid}
        self._emit("playbook_on_play_start", data, super(CallbackModule, self).v2_playbook_on_play_start, play)

    def v2_playbook_on_import_for_host(self, result, imported_file):
        self._emit("playbook_on_import_for_host", {}, lambda: None)

    def v2_playbook_on_not_import_for_host(self, result, missing_file):
        self._emit("playbook_on_not_import_for_host", {}, lambda: None)

    def _emit_task_start(self, task, fn, *args):
        self._clear_task_ctx()
        data = self._task_data(task)
        self._emitter.context.update(data)  # None values too: resolved_action is null in ad-hoc runs
        if IS_ADHOC:
            return
        uuid = data["task_uuid"]
        if fn.__name__ == "v2_playbook_on_task_start":
            # The same task starts again under serial or the free strategy (see _numbered).
            uuid = self._numbered(uuid)
            event_data = {"name": task.get_name(), "is_conditional": args[1], "uuid": uuid}
        else:
            # Handlers and cleanup tasks run only when something calls for them: their starts
            # say is_conditional true, as ansible-runner's do.
            event_data = {"name": task.get_name(), "uuid": uuid, "is_conditional": True}
        self._emit("playbook_on_task_start", event_data, fn, *args)

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._emit_task_start(task, super(CallbackModule, self).v2_playbook_on_task_start, task, is_conditional)

    def v2_playbook_on_cleanup_task_start(self, task):
        self._emit_task_start(task, super(CallbackModule, self).v2_playbook_on_cleanup_task_start, task)

    def v2_playbook_on_handler_task_start(self, task):
        self._emit_task_start(task, super(CallbackModule, self).v2_playbook_on_handler_task_start, task)

    def v2_playbook_on_no_hosts_matched(self):
        self._emit("playbook_on_no_hosts_matched", {}, super(CallbackModule, self).v2_playbook_on_no_hosts_matched)

    def v2_playbook_on_no_hosts_remaining(self):
        self._emit("playbook_on_no_hosts_remaining", {},
                   super(CallbackModule, self).v2_playbook_on_no_hosts_remaining)

    def v2_playbook_on_notify(self, handler, host):
        data = {"host": host.get_name(), "handler": handler.get_name()}
        self._emit("playbook_on_notify", data, super(CallbackModule, self).v2_playbook_on_notify, handler, host)

    def v2_playbook_on_stats(self, stats):
        self._clear_task_ctx()
        for key in ("play", "play_uuid", "play_pattern"):
            self._emitter.context.pop(key, None)
        data = {
            "changed": dict(stats.changed), "dark": dict(stats.dark), "failures": dict(stats.failures),
            "ignored": dict(getattr(stats, "ignored", {})), "ok": dict(stats.ok),
            "processed": dict(stats.processed), "rescued": dict(getattr(stats, "rescued", {})),
            "skipped": dict(stats.skipped), "artifact_data": dict(stats.custom.get("_run", {})),
        }
        self._emit("playbook_on_stats", data, super(CallbackModule, self).v2_playbook_on_stats, stats)

    # -- host-level callbacks -------------------------------------------
    def v2_runner_on_start(self, host, task):
        key = (str(task._uuid), host.get_name())
        self._task_started[key] = _utcnow()
        self._emit("runner_on_start", {"host": host.get_name()},
                   super(CallbackModule, self).v2_runner_on_start, host, task)

    def _runner(self, event, result, fn, *args, **extra):
        data = self._host_data(result, **extra)
        if C.DISPLAY_ARGS_TO_STDOUT:
            # The result's task: by now its args carry what Ansible added (ansible-runner's too).
            data["task_args"] = self._task_args(result._task)
        self._emit(event, data, fn, result, *args)

    def v2_runner_on_ok(self, result):
        # The host's environment may hold credentials and is on record elsewhere: ansible-runner
        # drops it from fact gathering results (for the short action names only; here for the
        # full names as well). Dropped from Ansible's own result, as ansible-runner does.
        task = result._task
        if task.action in FACT_ACTIONS or getattr(task, "resolved_action", None) in FACT_RESOLVED:
            facts = result._result.get("ansible_facts")
            if isinstance(facts, dict):
                facts.pop("ansible_env", None)
        self._runner("runner_on_ok", result, super(CallbackModule, self).v2_runner_on_ok,
                     event_loop=self._loop(result._task))

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._runner("runner_on_failed", result, super(CallbackModule, self).v2_runner_on_failed, ignore_errors,
                     ignore_errors=ignore_errors, event_loop=self._loop(result._task))

    def v2_runner_on_skipped(self, result):
        self._runner("runner_on_skipped", result, super(CallbackModule, self).v2_runner_on_skipped, res=False,
                     event_loop=self._loop(result._task))

    def v2_runner_on_unreachable(self, result):
        self._runner("runner_on_unreachable", result, super(CallbackModule, self).v2_runner_on_unreachable,
                     res_last=True)

    def _async(self, event, result, fn, **task):
        self._runner(event, result, fn, timing=False, jid=result._result.get("ansible_job_id"), **task)

    def v2_runner_on_async_poll(self, result):
        # A poll's result belongs to the async_status task Ansible runs for it, not to the task
        # polled: its name, uuid (the event's parent), action and path, as ansible-runner
        # records them.
        self._async("runner_on_async_poll", result, super(CallbackModule, self).v2_runner_on_async_poll,
                    **self._task_data(result._task))

    def v2_runner_on_async_ok(self, result):
        self._async("runner_on_async_ok", result, super(CallbackModule, self).v2_runner_on_async_ok)

    def v2_runner_on_async_failed(self, result):
        self._async("runner_on_async_failed", result, super(CallbackModule, self).v2_runner_on_async_failed)

    def v2_on_file_diff(self, result):
        self._runner("runner_on_file_diff", result, super(CallbackModule, self).v2_on_file_diff,
                     timing=False, res=False, diff=result._result.get("diff"))

    def v2_runner_item_on_ok(self, result):
        self._runner("runner_item_on_ok", result, super(CallbackModule, self).v2_runner_item_on_ok, timing=False)

    def v2_runner_item_on_failed(self, result):
        self._runner("runner_item_on_failed", result, super(CallbackModule, self).v2_runner_item_on_failed, timing=False)

    def v2_runner_item_on_skipped(self, result):
        self._runner("runner_item_on_skipped", result, super(CallbackModule, self).v2_runner_item_on_skipped, timing=False)

    def v2_runner_retry(self, result):
        self._runner("runner_retry", result, super(CallbackModule, self).v2_runner_retry, timing=False)
