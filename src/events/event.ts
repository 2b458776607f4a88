/** The job event schema of ansible-runner 2.x, as written to `job_events/`. */

/** Event data as the callback plugin describes it (free-form, per event type). */
export type EventData = Record<string, unknown>;

/** One job event: counter and line numbers are assigned by the runner, in order. */
export interface JobEvent {
  uuid: string;
  counter: number;
  stdout: string;
  start_line: number;
  end_line: number;
  runner_ident: string;
  event: string;
  pid?: number;
  created: string;
  parent_uuid?: string;
  event_data?: EventData;
  [extra: string]: unknown;
}

/** What the plugin sends at the start of an event (everything but numbering). */
export interface PluginRecord {
  event: string;
  uuid: string;
  pid?: number;
  created?: string;
  parent_uuid?: string;
  event_data?: EventData;
  [extra: string]: unknown;
}

/** Validates one decoded plugin record; returns null when it is not one. */
export function asPluginRecord(value: unknown): PluginRecord | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  if (typeof v.event !== "string" || typeof v.uuid !== "string") return null;
  if (v.event_data !== undefined && (typeof v.event_data !== "object" || v.event_data === null)) {
    return null;
  }
  return v as PluginRecord;
}

const LINE_END = Symbol("runner.lineEnd");

/**
 * How a line of terminal text outside any record ended (`\r\n`, `\r`, `\n`, or nothing where
 * the break is part of its stdout, such as a form feed), as the parser saw it; undefined for
 * other events, and for events that came from elsewhere (the wire). ansible-runner copies such
 * lines to `stdout` and the console as they came, which the event's stripped text cannot tell.
 */
export function terminalLineEnd(ev: JobEvent): string | undefined {
  return (ev as unknown as Record<symbol, string | undefined>)[LINE_END];
}

/** Records {@link terminalLineEnd} on `ev` (not a field: it is no part of the event). */
export function setTerminalLineEnd(ev: JobEvent, end: string | undefined): JobEvent {
  if (end !== undefined) Object.defineProperty(ev, LINE_END, { value: end, enumerable: false });
  return ev;
}
