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
 * Why a job was stopped when something it reports to failed outside any sink call (a library's
 * cancelCallback threw; a worker's keepalive found its reader gone): the job ends with status
 * `error`, not `canceled`, and the job's promise rejects with it.
 */
export class HandlerFailure extends Error {}

/**
 * Hands an event to the sinks around the artifacts writer, as ansible-runner's event_handler
 * works: a false from a sink called `before` it keeps the event's file out of `job_events/`,
 * nothing else (its text still goes to `stdout`, and the event to the sinks `after`). A sink
 * that throws keeps the event from none of the others: the first error is rethrown once every
 * one has had it.
 */
export function dispatchEvent(
  ev: JobEvent,
  before: readonly JobSink[],
  artifacts: { event(ev: JobEvent, file: boolean): void },
  after: readonly JobSink[],
): void {
  const errors = new FirstError();
  let file = true;
  for (const s of before) if (errors.from(() => s.event?.(ev)) === false) file = false;
  artifacts.event(ev, file);
  for (const s of after) errors.from(() => s.event?.(ev));
  errors.rethrow();
}

/** Calls `status` on every sink; the first error is rethrown once every one has had it. */
export function dispatchStatus(
  sinks: readonly JobSink[],
  status: JobStatus,
  info: StatusInfo,
): void {
  const errors = new FirstError();
  for (const s of sinks) errors.from(() => s.status?.(status, info));
  errors.rethrow();
}

/**
 * The sink, until it throws: that error goes on (it ends the job) after `onError` has it, and
 * from then on the sink is not called, so that the job's ending (its last events, its final
 * status) reaches the others.
 */
export function untilItThrows(sink: JobSink, onError: (e: unknown) => void): JobSink {
  let failed = false;
  const guard = <T>(call: () => T): T | undefined => {
    if (failed) return undefined;
    try {
      return call();
    } catch (e) {
      failed = true;
      onError(e);
      throw e;
    }
  };
  return {
    event: sink.event && ((ev) => guard(() => sink.event!(ev))),
    status: sink.status && ((status, info) => guard(() => sink.status!(status, info))),
    close: sink.close && (() => guard(() => sink.close!())),
  };
}

/** Runs calls, keeping the first error they throw for later. */
class FirstError {
  #error: { e: unknown } | null = null;

  from<T>(call: () => T): T | undefined {
    try {
      return call();
    } catch (e) {
      this.#error ??= { e };
      return undefined;
    }
  }

  rethrow(): void {
    if (this.#error) throw this.#error.e;
  }
}
