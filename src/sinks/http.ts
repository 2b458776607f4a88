/**
 * The built-in status and event emitter (in place of the ansible-runner-http plugin): POSTs
 * `{"status", "runner_ident"}` on every status change and every event, in order, to an HTTP
 * URL or a unix socket. It never blocks or fails the job: messages wait in a bounded queue,
 * delivery is retried with backoff, and what cannot be delivered is dropped and counted.
 */
import type { JobEvent } from "../events/event.ts";
import type { JobSink, JobStatus, StatusInfo } from "./sink.ts";
import { monotonicMs, sleep } from "../runtime/timer.ts";

/** Where and how to send. */
export interface HttpEmitterConfig {
  /** http(s) URL; with `socketPath`, only its path is used. */
  url?: string;
  /** Unix socket to connect to instead of the URL's host. */
  socketPath?: string;
  headers: Record<string, string>;
}

/** Tunables (tests shorten them). */
export interface HttpEmitterTuning {
  /** Most messages held; beyond it the oldest event is dropped. */
  maxQueue: number;
  /** Attempts per message before it is dropped. */
  attempts: number;
  /** First retry delay; doubles up to `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs: number;
  /** Per-request timeout. */
  timeoutMs: number;
  /** How long the end of the job waits for the queue to drain. */
  drainMs: number;
}

const DEFAULTS: HttpEmitterTuning = {
  maxQueue: 10_000,
  attempts: 5,
  backoffMs: 100,
  maxBackoffMs: 5_000,
  timeoutMs: 5_000,
  drainMs: 10_000,
};

interface Message {
  body: string;
  isStatus: boolean;
}

/** Sink that forwards statuses and events over HTTP. */
export class HttpEmitter implements JobSink {
  #config: HttpEmitterConfig;
  #tune: HttpEmitterTuning;
  #queue: Message[] = [];
  #client: Deno.HttpClient | undefined;
  #target: string;
  #running: Promise<void> | null = null;
  #closing = false;
  #stopAt = Infinity;
  #sent = 0;
  #dropped = 0;
  /** False once a message could not be delivered: the end of the job then waits no longer. */
  #healthy = true;
  #log: (msg: string) => void;

  constructor(
    config: HttpEmitterConfig,
    opts: { tuning?: Partial<HttpEmitterTuning>; log?: (msg: string) => void } = {},
  ) {
    this.#config = config;
    this.#tune = { ...DEFAULTS, ...opts.tuning };
    this.#log = opts.log ?? (() => {});
    if (config.socketPath) {
      this.#client = Deno.createHttpClient(
        {
          proxy: { transport: "unix", path: config.socketPath },
        } as unknown as Deno.CreateHttpClientOptions,
      );
      const path = config.url ? new URL(config.url).pathname : "/";
      this.#target = `http://localhost${path}`;
    } else this.#target = config.url!;
  }

  /** Messages delivered and dropped so far. */
  get counts(): { sent: number; dropped: number } {
    return { sent: this.#sent, dropped: this.#dropped };
  }

  status(status: JobStatus, info: StatusInfo): void {
    const body: Record<string, unknown> = { status, runner_ident: info.runner_ident };
    if (info.rc !== undefined && this.#dropped > 0) body.dropped_messages = this.#dropped;
    this.#push({ body: JSON.stringify(body), isStatus: true });
  }

  event(ev: JobEvent): void {
    this.#push({ body: JSON.stringify(ev), isStatus: false });
  }

  #push(m: Message): void {
    if (this.#queue.length >= this.#tune.maxQueue) {
      // Statuses matter most: drop the oldest event to make room.
      const i = this.#queue.findIndex((q) => !q.isStatus);
      if (i < 0 && !m.isStatus) {
        this.#dropped++;
        return;
      }
      this.#queue.splice(i < 0 ? 0 : i, 1);
      this.#dropped++;
    }
    this.#queue.push(m);
    this.#running ??= this.#pump().finally(() => this.#running = null);
  }

  async #pump(): Promise<void> {
    while (this.#queue.length) {
      const m = this.#queue[0];
      const ok = await this.#deliver(m.body);
      this.#healthy = ok;
      if (!ok && this.#closing) this.#stopAt = monotonicMs();
      this.#queue.shift();
      if (ok) this.#sent++;
      else this.#dropped++;
    }
  }

  async #deliver(body: string): Promise<boolean> {
    let delay = this.#tune.backoffMs;
    for (let attempt = 1; attempt <= this.#tune.attempts; attempt++) {
      if (monotonicMs() >= this.#stopAt) return false;
      try {
        const res = await fetch(this.#target, {
          method: "POST",
          headers: { "Content-Type": "application/json", ...this.#config.headers },
          body,
          client: this.#client,
          signal: AbortSignal.timeout(
            Math.min(this.#tune.timeoutMs, Math.max(1, this.#stopAt - monotonicMs())),
          ),
        });
        await res.body?.cancel();
        if (res.ok) return true;
        this.#log(`http emitter: ${this.#target} answered ${res.status} (attempt ${attempt})`);
      } catch (e) {
        this.#log(`http emitter: ${(e as Error).message} (attempt ${attempt})`);
      }
      if (attempt < this.#tune.attempts) {
        await sleep(Math.min(delay, Math.max(0, this.#stopAt - monotonicMs())));
        delay = Math.min(delay * 2, this.#tune.maxBackoffMs);
      }
    }
    return false;
  }

  /** Waits (bounded) for the queue to drain; what is left is dropped and counted. */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    this.#stopAt = this.#healthy ? monotonicMs() + this.#tune.drainMs : monotonicMs();
    await this.#running;
    this.#dropped += this.#queue.length;
    this.#queue = [];
    this.#client?.close();
    if (this.#dropped > 0) {
      this.#log(`http emitter: ${this.#dropped} message(s) dropped, ${this.#sent} delivered`);
      console.error(
        `runner: warning: http emitter dropped ${this.#dropped} of ${
          this.#dropped + this.#sent
        } message(s)`,
      );
    }
  }
}
