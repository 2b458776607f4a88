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
