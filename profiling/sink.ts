/** Feeds the poller the current task from the event stream. */
import type { JobEvent } from "../src/events/event.ts";
import type { JobSink } from "../src/sinks/sink.ts";
import type { Poller } from "./poller.ts";

/** Sink that tells the poller when each task starts. */
export class ProfilingSink implements JobSink {
  #poller: Poller;

  constructor(poller: Poller) {
    this.#poller = poller;
  }

  event(ev: JobEvent): void {
    if (ev.event !== "playbook_on_task_start") return;
    const d = ev.event_data ?? {};
    this.#poller.task(String(d.task ?? d.name ?? ""), String(d.task_uuid ?? ev.uuid));
  }
}
