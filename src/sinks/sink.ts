/** What every consumer of a job (artifacts, console, wire, HTTP, library handlers) implements. */
import type { JobEvent } from "../events/event.ts";

/** Job statuses, as ansible-runner reports them. */
export type JobStatus =
  | "unstarted"
  | "starting"
  | "running"
  | "successful"
  | "failed"
  | "timeout"
  | "canceled"
  | "error";

/** Statuses that end a job. */
export const FINAL_STATUSES: readonly JobStatus[] = [
  "successful",
  "failed",
  "timeout",
  "canceled",
  "error",
];

/** Extra facts sent with a status change. */
export interface StatusInfo {
  runner_ident: string;
  /** Present with `starting`: what is about to run. */
  command?: string[];
  cwd?: string;
  env?: Record<string, string>;
  /** Present with final statuses. */
  rc?: number;
  job_explanation?: string;
}

/** A consumer of one job's events and status changes. */
export interface JobSink {
  /**
   * Called for each event in counter order. Returning false from a sink called before the
   * artifacts writer keeps the event's file out of `job_events/` (see ExecuteOptions.before).
   */
  event?(event: JobEvent): boolean | void;
  status?(status: JobStatus, info: StatusInfo): void;
  /** Called once after the final status; awaited before the job's promise resolves. */
  close?(): Promise<void> | void;
}

/**
 * Hands an event to the sinks around the artifacts writer, as ansible-runner's event_handler
 * works: a false from a sink called `before` it keeps the event's file out of `job_events/`,
 * nothing else (its text still goes to `stdout`, and the event to the sinks `after`).
 */
export function dispatchEvent(
  ev: JobEvent,
  before: readonly JobSink[],
  artifacts: { event(ev: JobEvent, file: boolean): void },
  after: readonly JobSink[],
): void {
  let file = true;
  for (const s of before) if (s.event?.(ev) === false) file = false;
  artifacts.event(ev, file);
  for (const s of after) s.event?.(ev);
}
