import { decideAfterSend, type SendOutcome } from "./send-decision";
import { Timings, type EmitCounts } from "./timings";
import { invalidSampleReason, isValidName, type WireSample } from "./wire-sample";

export interface ReporterOptions {
  /** Vigil's base URL, e.g. "https://vigil.example.com". */
  url: string;
  ingestKey: string;
  /** Every sample's `service`, e.g. "shop-api". */
  service: string;
  flushIntervalMs?: number;
  /** Samples per POST; Vigil takes up to 1 MB a request, about 2000 samples with tags. */
  maxBatch?: number;
  /** Samples held while Vigil is unreachable; the oldest go first beyond this. */
  maxBuffered?: number;
  /** Durations per metric per flush interval kept as samples; beyond it they are sampled uniformly. */
  maxSamplesPerInterval?: number;
  fetch?: typeof fetch;
  /** First retry delay after a failure; doubles per failure up to `retryMaxMs`. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  requestTimeoutMs?: number;
  /** Told when sending starts failing or samples are dropped; not once per retry. Default: console.warn. */
  onError?: (message: string) => void;
}

export interface ReporterStats {
  /** Samples Vigil accepted. */
  sent: number;
  /** Samples dropped because the buffer was full, or after close. */
  dropped: number;
  /** Samples refused as invalid, by `record` or by Vigil (400). */
  rejected: number;
  /** POSTs that did not succeed (network error, timeout, non-2xx). */
  failed: number;
  /** Durations left out by sampling when an interval had more than `maxSamplesPerInterval`. */
  sampledOut: number;
  /** Samples waiting to be sent. */
  buffered: number;
  lastError: string | undefined;
}

export interface RecordedSample {
  metric: string;
  value: number;
  unit?: string;
  tags?: Record<string, string>;
  /** Epoch milliseconds; now when absent. */
  timestamp?: number;
}

export interface Reporter {
  readonly service: string;
  /** Where batches go, `${url}/api/ingest/metrics`. */
  readonly endpoint: string;
  /** Queues one sample of your own; `timestamp` defaults to now. Never throws. */
  record(sample: RecordedSample): void;
  /** The duration accumulator for a metric, shared by every wrapper that reports it. */
  timings(metric: string, unit: string, emitCounts?: EmitCounts): Timings;
  /** Sends everything recorded so far; resolves when done or when sending failed. Never rejects. */
  flush(): Promise<void>;
  /** Stops the timer and makes one last attempt to send, for at most `timeoutMs`. Never rejects. */
  close(options?: { timeoutMs?: number }): Promise<void>;
  stats(): ReporterStats;
}

const MAX_BODY_CHARS = 1_000_000;
const MAX_SAMPLES_PER_BATCH = 10_000;

/**
 * A reporter buffers samples in memory and sends them to Vigil in batches from a timer,
 * so a request only ever pays for recording, never for a network call.
 */
export function createReporter(options: ReporterOptions): Reporter {
  const {
    service,
    flushIntervalMs = 1000,
    maxBuffered = 50_000,
    maxSamplesPerInterval = 1000,
    retryBaseMs = 500,
    retryMaxMs = 30_000,
    requestTimeoutMs = 10_000,
    onError = (message: string) => console.warn(`vigil reporter: ${message}`),
  } = options;
  if (!isValidName(service)) throw new Error(`vigil reporter: invalid service name ${JSON.stringify(service)}`);
  // Vigil refuses a batch of more than 10 000 samples outright.
  const maxBatch = Math.max(1, Math.min(options.maxBatch ?? 2000, MAX_SAMPLES_PER_BATCH));
  const baseFetch = options.fetch ?? globalThis.fetch;
  const endpoint = `${options.url.replace(/\/+$/, "")}/api/ingest/metrics`;
  const headers = { authorization: `Bearer ${options.ingestKey}`, "content-type": "application/json" };

  const timings = new Map<string, Timings>();
  // Samples as JSON, serialised once when recorded or drained.
  let buffer: string[] = [];
  // Trimming one sample at a time when full would copy the buffer per sample.
  const trimSlack = Math.max(1, maxBuffered >> 6);
  let batchLimit = maxBatch;
  const counts = { sent: 0, dropped: 0, rejected: 0, failed: 0 };
  let lastError: string | undefined;
  let failing = false;
  let dropWarned = false;
  const refusedMetrics = new Set<string>();
  let attempt = 0;
  let retryAt = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: Promise<void> | undefined;
  let sendSoon: ReturnType<typeof setTimeout> | undefined;
  let closing: Promise<void> | undefined;
  let closed = false;

  const warn = (message: string) => {
    lastError = message;
    try {
      onError(message);
    } catch {
      // A logger that throws must not break reporting.
    }
  };

  function trim(): void {
    const excess = buffer.length - maxBuffered;
    if (excess <= 0) return;
    buffer.splice(0, excess);
    counts.dropped += excess;
    if (dropWarned) lastError = `buffer full: ${counts.dropped} samples dropped so far`;
    else warn(`buffer full (${maxBuffered} samples): dropping the oldest`);
    dropWarned = true;
  }

  /** Moves every accumulator's interval into the buffer. */
  function collect(): void {
    const now = Date.now();
    const epochOffset = now - performance.now();
    for (const t of timings.values()) t.drain(buffer, epochOffset, now);
    trim();
  }

  async function post(body: string): Promise<SendOutcome> {
    try {
      const response = await baseFetch(endpoint, { method: "POST", headers, body, signal: AbortSignal.timeout(requestTimeoutMs) });
      // Read the body so the connection goes back to the pool.
      await response.arrayBuffer().catch(() => undefined);
      return { kind: "answered", status: response.status, retryAfter: response.headers.get("retry-after") };
    } catch (error) {
      return { kind: "network-error", message: error instanceof Error ? error.message : String(error) };
    }
  }

  /** Sends batches until the buffer is empty or a send fails; `force` ignores a pending backoff. */
  async function pump(force: boolean): Promise<void> {
    while (buffer.length > 0) {
      if (!force && Date.now() < retryAt) return;
      let batch = buffer.splice(0, batchLimit);
      let body = `{"samples":[${batch.join(",")}]}`;
      // Long tag values can push 2000 samples past Vigil's 1 MB limit.
      while (batch.length > 1 && body.length > MAX_BODY_CHARS) {
        const half = Math.ceil(batch.length / 2);
        buffer = batch.slice(half).concat(buffer);
        batch = batch.slice(0, half);
        batchLimit = half;
        body = `{"samples":[${batch.join(",")}]}`;
      }
      const decision = decideAfterSend(await post(body), attempt, Date.now(), { baseMs: retryBaseMs, maxMs: retryMaxMs });
      switch (decision.action) {
        case "sent":
          counts.sent += batch.length;
          attempt = 0;
          retryAt = 0;
          failing = false;
          dropWarned = false;
          break;
        case "split":
          counts.failed++;
          if (batch.length === 1) {
            counts.rejected++;
            warn(`${decision.reason}: one sample dropped`);
          } else {
            batchLimit = Math.ceil(batch.length / 2);
            buffer = batch.concat(buffer);
          }
          break;
        case "reject":
          counts.failed++;
          counts.rejected += batch.length;
          warn(`${decision.reason}: ${batch.length} samples dropped`);
          break;
        case "retry":
          counts.failed++;
          attempt++;
          retryAt = Date.now() + decision.delayMs;
          if (closed) {
            counts.dropped += batch.length;
            return;
          }
          buffer = batch.concat(buffer);
          trim();
          // Say so when sending starts failing, not on every retry.
          if (failing) lastError = decision.reason;
          else warn(`${decision.reason}; retrying`);
          failing = true;
          if (closing === undefined) scheduleRetry(decision.delayMs);
          return;
      }
    }
  }

  /** Starts a pump unless one runs; a forced drive waits for the running one, then runs again. */
  function drive(force: boolean): Promise<void> {
    if (inFlight !== undefined) return force ? inFlight.then(() => drive(true)) : inFlight;
    const run = pump(force)
      .catch((error: unknown) => warn(`unexpected: ${String(error)}`))
      .finally(() => {
        if (inFlight === run) inFlight = undefined;
      });
    inFlight = run;
    return run;
  }

  function scheduleRetry(delayMs: number): void {
    clearTimeout(retryTimer);
    // Forced: a timer may fire a millisecond before `retryAt` by Date.now().
    retryTimer = setTimeout(() => void drive(true), delayMs);
    unref(retryTimer);
  }

  const timer = setInterval(() => {
    collect();
    if (buffer.length > 0) void drive(false);
  }, flushIntervalMs);
  unref(timer);

  function recordSample(sample: RecordedSample): void {
    if (closing !== undefined) {
      counts.dropped++;
      return;
    }
    const wire: WireSample = {
      metric: sample.metric,
      service,
      value: sample.value,
      timestamp: sample.timestamp ?? Date.now(),
      tags: sample.tags ?? {},
    };
    if (sample.unit !== undefined) wire.unit = sample.unit;
    const invalid = invalidSampleReason(wire);
    if (invalid !== undefined) {
      counts.rejected++;
      // Once per metric: a caller recording in a loop must not flood the log.
      if (refusedMetrics.size < 100 && !refusedMetrics.has(wire.metric)) {
        refusedMetrics.add(wire.metric);
        warn(`sample refused: invalid ${invalid}`);
      } else lastError = `sample refused: invalid ${invalid}`;
      return;
    }
    buffer.push(JSON.stringify(wire));
    if (buffer.length >= maxBuffered + trimSlack) trim();
    // A full batch goes out soon, but from a timer: never on the caller's stack.
    if (buffer.length >= maxBatch && sendSoon === undefined && inFlight === undefined) {
      sendSoon = setTimeout(() => {
        sendSoon = undefined;
        void drive(false);
      }, 0);
    }
  }

  return {
    service,
    endpoint,

    record(sample) {
      try {
        recordSample(sample);
      } catch (error) {
        counts.rejected++;
        lastError = `sample refused: ${String(error)}`;
      }
    },

    timings(metric, unit, emitCounts) {
      let t = timings.get(metric);
      if (t === undefined) {
        if (!isValidName(metric)) throw new Error(`vigil reporter: invalid metric name ${JSON.stringify(metric)}`);
        t = new Timings(metric, unit, service, maxSamplesPerInterval, emitCounts);
        timings.set(metric, t);
      }
      t.emitCounts ??= emitCounts;
      return t;
    },

    flush() {
      collect();
      return drive(true);
    },

    close({ timeoutMs = 5000 } = {}) {
      if (closing !== undefined) return closing;
      clearInterval(timer);
      clearTimeout(retryTimer);
      clearTimeout(sendSoon);
      collect();
      closing = drive(true);
      let deadline: ReturnType<typeof setTimeout> | undefined;
      const timedOut = new Promise<void>((resolve) => {
        deadline = setTimeout(resolve, timeoutMs);
        unref(deadline);
      });
      closing = Promise.race([closing, timedOut]).then(() => {
        clearTimeout(deadline);
        closed = true;
        counts.dropped += buffer.length;
        buffer = [];
      });
      return closing;
    },

    stats() {
      let sampledOut = 0;
      for (const t of timings.values()) sampledOut += t.sampledOut;
      return { ...counts, sampledOut, buffered: buffer.length, lastError };
    },
  };
}

/** Timers must not keep the host process alive (Node); elsewhere there is nothing to do. */
function unref(timer: unknown): void {
  (timer as { unref?: () => void } | undefined)?.unref?.();
}
