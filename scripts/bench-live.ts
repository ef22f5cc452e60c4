/**
 * The live-stream benchmark, called by scripts/bench.ts with a running Vigil. Each figure sits
 * beside a reference measured in the same run:
 *
 *  - ingest → client: a sample's POST until the `snapshot` holding it reaches one subscribed
 *    client (target p95 ≤ 1 s), against the snapshot debounce.
 *  - fan-out: the same delay at each of `clients` concurrent streams (target p95 ≤ 500 ms),
 *    against a bare node:http SSE server (scripts/bare-sse-server.ts) broadcasting an event of
 *    the same size to as many streams.
 *  - memory: the server process's RSS growth per open stream, Vigil against the bare server.
 *
 * Both servers run in their own process, so the clients here never share an event loop with
 * the server they time. Streams are raw node:http requests split into frames with Buffer
 * searches only: `id:` lines and `:` comment frames pass through unread.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";

export interface LiveOptions {
  baseUrl: string;
  /** Cookie header of a signed-in session (the stream needs a viewer). */
  cookie: string;
  ingestKey: string;
  /** Concurrent streams for the fan-out and memory figures; lowered to fit the open-files limit. */
  clients: number;
  log: (line: string) => void;
  /** Vigil's process id, for its RSS (Linux /proc); without it the memory figures are null. */
  pid?: number;
  /** Ingest → client rounds on one stream. */
  rounds?: number;
  /** Fan-out rounds on all streams. */
  fanoutRounds?: number;
  /** Bound on opening all the streams (Vigil loads a dashboard for each); past it, fewer are timed. */
  openTimeoutMs?: number;
  /** Bound on one round's event reaching every stream, and on the reference server's start. */
  roundTimeoutMs?: number;
}

export interface LiveFigures {
  live_ingest_to_client_p95_ms: number;
  live_snapshot_debounce_ms: number;
  live_ingest_to_client_to_debounce_ratio: number;
  live_fanout_clients: number;
  live_fanout_p95_ms: number;
  live_fanout_reference_p95_ms: number;
  live_fanout_to_reference_ratio: number;
  /** Client-rounds whose event did not arrive within the round's bound (Vigil, then reference). */
  live_fanout_missed: number;
  live_fanout_reference_missed: number;
  /** Size of Vigil's snapshot event on the wire, and so of the reference's event. */
  live_event_bytes_p50: number;
  live_memory_per_connection_kb: number | null;
  live_memory_reference_per_connection_kb: number | null;
  live_memory_to_reference_ratio: number | null;
}

/** SnapshotPublisher's default debounce (lib/live/snapshot-publisher.ts), which the runtime uses. */
const SNAPSHOT_DEBOUNCE_MS = 250;
/** Sorts before "bench", "default" and "vigil": the snapshot lists at most 100 series, ordered by service. */
const PROBE_SERVICE = "aaa-bench-live";
const OPEN_CONCURRENCY = 8;
/** Lets the server's allocations of the last phase settle before RSS is read. */
const SETTLE_MS = 2_000;
/** Descriptors kept back for the processes' own files, the store and the ingest requests. */
const RESERVED_FDS = 256;
const BARE_SERVER = path.join(path.dirname(fileURLToPath(import.meta.url)), "bare-sse-server.ts");
const ROOT = path.resolve(path.dirname(BARE_SERVER), "..");
const FRAME_END = Buffer.from("\n\n");

export async function measureLive(options: LiveOptions): Promise<LiveFigures> {
  const { log } = options;
  const rounds = options.rounds ?? 20;
  const fanoutRounds = options.fanoutRounds ?? 10;
  const openTimeoutMs = options.openTimeoutMs ?? 120_000;
  const roundTimeoutMs = options.roundTimeoutMs ?? 30_000;
  const clients = fitClientCount(options.clients, log);
  const runId = Date.now().toString(36);
  const ingest = (metric: string) => postIngest(options.baseUrl, options.ingestKey, metric);
  const vigilStreamUrl = `${options.baseUrl}/api/admin/monitoring/stream`;
  const vigilHeaders = { cookie: options.cookie };

  // Ingest → client, on one stream; the jitter spreads the POSTs over the publisher's timer
  // phase, or each round would start just after a publish and always wait a full period.
  const single = new StreamFleet(vigilStreamUrl, vigilHeaders);
  let singleDelays: number[];
  try {
    await single.open(1, 1, openTimeoutMs);
    await single.round(() => ingest(`bench.live.${runId}.warmup`), snapshotListing(`bench.live.${runId}.warmup`), roundTimeoutMs);
    singleDelays = [];
    for (let i = 0; i < rounds; i++) {
      await sleep(Math.random() * SNAPSHOT_DEBOUNCE_MS);
      const metric = `bench.live.${runId}.single${i}`;
      const { delays } = await single.round(() => ingest(metric), snapshotListing(metric), roundTimeoutMs);
      singleDelays.push(...delays);
    }
  } finally {
    single.close();
  }
  if (singleDelays.length < rounds) throw new Error(`live: ${rounds - singleDelays.length} of ${rounds} samples never reached the stream`);
  const singleP95 = percentile(singleDelays, 95);
  log(
    `live ingest→client: ${Math.round(singleP95)} ms p95 over ${rounds} rounds (median ${Math.round(percentile(singleDelays, 50))} ms; ` +
      `snapshot debounce ${SNAPSHOT_DEBOUNCE_MS} ms, ${(singleP95 / SNAPSHOT_DEBOUNCE_MS).toFixed(2)}×; target ≤ 1000 ms)`,
  );

  const vigil = await measureFanout({
    name: "Vigil",
    streamUrl: vigilStreamUrl,
    headers: vigilHeaders,
    pid: options.pid,
    clients,
    rounds: fanoutRounds,
    openTimeoutMs,
    roundTimeoutMs,
    trigger: (round) => {
      const metric = `bench.live.${runId}.fanout${round}`;
      return { marker: metric, send: () => ingest(metric) };
    },
    log,
  });
  const eventBytes = vigil.eventBytes;

  const bare = await startBareServer(eventBytes, roundTimeoutMs);
  let reference: FanoutResult;
  try {
    reference = await measureFanout({
      name: "bare node:http",
      streamUrl: `${bare.url}/stream`,
      headers: {},
      pid: bare.child.pid,
      clients: vigil.opened, // the same count as Vigil held, even if it fell short
      rounds: fanoutRounds,
      openTimeoutMs,
      roundTimeoutMs,
      trigger: (round) => {
        const marker = `bench.live.${runId}.reference${round}`;
        return { marker, send: () => postOk(`${bare.url}/broadcast?marker=${encodeURIComponent(marker)}`, {}, "") };
      },
      log,
    });
  } finally {
    await bare.stop();
  }

  const memoryRatio = vigil.memoryKb !== null && reference.memoryKb ? vigil.memoryKb / reference.memoryKb : null;
  log(
    `live fan-out:      ${Math.round(vigil.p95)} ms p95 at ${vigil.opened} streams, bare node:http ${Math.round(reference.p95)} ms ` +
      `(${(vigil.p95 / reference.p95).toFixed(2)}×; target ≤ 500 ms; event ${eventBytes.toLocaleString()} bytes)`,
  );
  log(
    `live memory:       ${formatKb(vigil.memoryKb)} per stream, bare node:http ${formatKb(reference.memoryKb)}` +
      (memoryRatio === null ? "" : ` (${memoryRatio.toFixed(1)}×)`),
  );
  return {
    live_ingest_to_client_p95_ms: Math.round(singleP95),
    live_snapshot_debounce_ms: SNAPSHOT_DEBOUNCE_MS,
    live_ingest_to_client_to_debounce_ratio: ratio(singleP95, SNAPSHOT_DEBOUNCE_MS),
    live_fanout_clients: vigil.opened,
    live_fanout_p95_ms: Math.round(vigil.p95),
    live_fanout_reference_p95_ms: Math.round(reference.p95),
    live_fanout_to_reference_ratio: ratio(vigil.p95, reference.p95),
    live_fanout_missed: vigil.missed,
    live_fanout_reference_missed: reference.missed,
    live_event_bytes_p50: eventBytes,
    live_memory_per_connection_kb: vigil.memoryKb === null ? null : Number(vigil.memoryKb.toFixed(1)),
    live_memory_reference_per_connection_kb: reference.memoryKb === null ? null : Number(reference.memoryKb.toFixed(1)),
    live_memory_to_reference_ratio: memoryRatio === null ? null : Number(memoryRatio.toFixed(3)),
  };
}

interface FanoutResult {
  opened: number;
  p95: number;
  missed: number;
  /** Median size of the timed event frames, terminator included. */
  eventBytes: number;
  memoryKb: number | null;
}

/** Opens `clients` streams (RSS read before and after), then times `rounds` events at all of them. */
async function measureFanout(input: {
  name: string;
  streamUrl: string;
  headers: Record<string, string>;
  pid: number | undefined;
  clients: number;
  rounds: number;
  openTimeoutMs: number;
  roundTimeoutMs: number;
  trigger: (round: number) => { marker: string; send: () => Promise<void> };
  log: (line: string) => void;
}): Promise<FanoutResult> {
  const fleet = new StreamFleet(input.streamUrl, input.headers);
  try {
    await sleep(SETTLE_MS);
    const rssBefore = readRssKb(input.pid);
    const openStarted = performance.now();
    const { opened, stoppedBy } = await fleet.open(input.clients, OPEN_CONCURRENCY, input.openTimeoutMs);
    const openSeconds = (performance.now() - openStarted) / 1000;
    if (stoppedBy) input.log(`live: ${input.name}: only ${opened} of ${input.clients} streams opened, stopped by ${stoppedBy}`);
    else input.log(`live: ${input.name}: ${opened} streams open in ${openSeconds.toFixed(1)} s`);
    await sleep(SETTLE_MS);
    const rssAfter = readRssKb(input.pid);

    const delays: number[] = [];
    const sizes: number[] = [];
    const firsts: number[] = [];
    let missed = 0;
    // Round 0 warms the trigger's connection and both sides' code paths; it is not counted.
    for (let round = 0; round <= input.rounds; round++) {
      await sleep(Math.random() * SNAPSHOT_DEBOUNCE_MS);
      const { marker, send } = input.trigger(round);
      const result = await fleet.round(send, snapshotMarked(marker), input.roundTimeoutMs);
      if (round === 0) continue;
      delays.push(...result.delays);
      sizes.push(...result.sizes);
      if (result.delays.length > 0) firsts.push(Math.min(...result.delays));
      missed += result.missed;
    }
    if (missed > 0) input.log(`live: ${input.name}: ${missed} of ${opened * input.rounds} events did not arrive within ${input.roundTimeoutMs / 1000} s`);
    if (delays.length === 0) throw new Error(`live: ${input.name}: no event reached any stream`);
    // The first stream's delay is the server's reaction; the rest of the spread is the fan-out.
    input.log(
      `live: ${input.name}: event at the first stream after ${Math.round(Math.min(...firsts))} ms (best round), ` +
        `median ${Math.round(percentile(delays, 50))} ms, p95 ${Math.round(percentile(delays, 95))} ms`,
    );
    return {
      opened,
      p95: percentile(delays, 95),
      missed,
      eventBytes: Math.round(percentile(sizes, 50)),
      memoryKb: rssBefore !== undefined && rssAfter !== undefined ? (rssAfter - rssBefore) / opened : null,
    };
  } finally {
    fleet.close();
  }
}

/** Decides whether a frame is the event a round waits for. */
type FrameMatch = (frame: Buffer) => boolean;

const DASHBOARD_EVENTS = new Set(["snapshot", "patch"]);

/** A dashboard frame (snapshot or patch) whose bytes hold `marker`: no JSON parse, so a thousand streams stay cheap. */
function snapshotMarked(marker: string): FrameMatch {
  const bytes = Buffer.from(marker);
  return (frame) => frame.includes(bytes) && DASHBOARD_EVENTS.has(eventName(frame) ?? "");
}

/** A dashboard frame whose latest values list `metric` (read in full: one stream only). */
function snapshotListing(metric: string): FrameMatch {
  const marked = snapshotMarked(metric);
  return (frame) => {
    if (!marked(frame)) return false;
    try {
      // A snapshot lists every latest value; a patch, the changed ones under `upsert`.
      const data = JSON.parse(dataOf(frame)) as { latest?: { metric: string }[] | { upsert: { metric: string }[] } };
      const latest = Array.isArray(data.latest) ? data.latest : data.latest?.upsert;
      return latest?.some((l) => l.metric === metric) ?? false;
    } catch {
      return false;
    }
  };
}

/**
 * The `event:` line of a frame, found without splitting it into lines. Only a line can start
 * with "event:": the JSON on data lines has no raw newline.
 */
function eventName(frame: Buffer): string | undefined {
  const lineStart = frame.indexOf("\nevent:");
  const at = frame.subarray(0, 6).toString() === "event:" ? 0 : lineStart < 0 ? -1 : lineStart + 1;
  if (at < 0) return undefined;
  const end = frame.indexOf(0x0a, at);
  return frame.toString("utf8", at + 6, end < 0 ? frame.length : end).replace(/^ /, "");
}

/** The frame's data lines joined by "\n", as EventSource does. */
function dataOf(frame: Buffer): string {
  return frame
    .toString("utf8")
    .split("\n")
    .filter((line) => line.startsWith("data:"))
    .map((line) => line.slice(5).replace(/^ /, ""))
    .join("\n");
}

interface PendingRound {
  match: FrameMatch;
  arrivals: number[];
  sizes: number[];
  waiting: number;
  allArrived: () => void;
}

/**
 * Many text/event-stream requests over raw node:http, split into frames on "\n\n". A round
 * sends one trigger and records, per stream, when the first matching frame ended.
 */
class StreamFleet {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  private readonly requests: http.ClientRequest[] = [];
  private pending: PendingRound | undefined;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly headers: Record<string, string>,
  ) {}

  /**
   * Opens up to `count` streams, `concurrency` at a time; each counts once its first event
   * arrived. Stops at the first failure or at the deadline; throws only if none opened.
   */
  async open(count: number, concurrency: number, timeoutMs: number): Promise<{ opened: number; stoppedBy?: string }> {
    const deadline = Date.now() + timeoutMs;
    let next = 0;
    let failure: unknown;
    await Promise.all(
      Array.from({ length: Math.min(concurrency, count) }, async () => {
        while (next < count && failure === undefined && Date.now() < deadline && !this.closed) {
          next++;
          await this.openOne(deadline - Date.now()).catch((error: unknown) => (failure ??= error));
        }
      }),
    );
    const opened = this.requests.length;
    if (opened === 0) throw failure ?? new Error("no stream opened");
    if (failure !== undefined) return { opened, stoppedBy: failure instanceof Error ? failure.message : String(failure) };
    return opened < count ? { opened, stoppedBy: `the ${timeoutMs / 1000} s bound` } : { opened };
  }

  /** Runs `trigger` and waits until every stream received a frame `match` accepts, or the time runs out. */
  async round(trigger: () => Promise<void>, match: FrameMatch, timeoutMs: number): Promise<{ delays: number[]; sizes: number[]; missed: number }> {
    const count = this.requests.length;
    let allArrived = () => {};
    const arrived = new Promise<void>((resolve) => (allArrived = resolve));
    const round: PendingRound = { match, arrivals: new Array<number>(count).fill(Number.NaN), sizes: [], waiting: count, allArrived };
    this.pending = round;
    const sent = performance.now();
    try {
      await trigger();
      await withTimeout(arrived, Math.max(0, timeoutMs - (performance.now() - sent)));
    } catch (error) {
      if (!(error instanceof TimeoutError)) throw error;
    } finally {
      this.pending = undefined;
    }
    const delays = round.arrivals.filter((t) => !Number.isNaN(t)).map((t) => t - sent);
    return { delays, sizes: round.sizes, missed: count - delays.length };
  }

  close(): void {
    this.closed = true;
    this.pending = undefined;
    for (const request of this.requests) request.destroy();
    this.agent.destroy();
  }

  private openOne(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let first = true;
      let index = -1;
      let carry: Buffer = Buffer.alloc(0);
      const timer = setTimeout(() => {
        request.destroy();
        reject(new Error(`a stream did not open within ${Math.round(timeoutMs)} ms`));
      }, timeoutMs);
      const request = http.get(this.url, { agent: this.agent, headers: { accept: "text/event-stream", ...this.headers } }, (response) => {
        if (response.statusCode !== 200) {
          clearTimeout(timer);
          response.resume();
          request.destroy();
          reject(new Error(`stream answered ${response.statusCode}`));
          return;
        }
        response.on("data", (chunk: Buffer) => {
          const at = performance.now();
          const data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
          // A terminator split across chunks starts at most one byte back.
          let start = 0;
          let end = data.indexOf(FRAME_END, Math.max(0, carry.length - 1));
          while (end >= 0) {
            const frame = data.subarray(start, end);
            if (first && eventName(frame) !== undefined) {
              first = false;
              clearTimeout(timer);
              index = this.requests.push(request) - 1;
              resolve();
            } else this.onFrame(index, frame, at);
            start = end + FRAME_END.length;
            end = data.indexOf(FRAME_END, start);
          }
          carry = start === data.length ? Buffer.alloc(0) : data.subarray(start);
        });
        response.on("error", () => {});
      });
      request.on("error", (error) => {
        clearTimeout(timer);
        if (first && !this.closed) reject(error);
      });
    });
  }

  private onFrame(index: number, frame: Buffer, at: number): void {
    const round = this.pending;
    if (!round || index < 0 || index >= round.arrivals.length || !Number.isNaN(round.arrivals[index]!)) return;
    if (!round.match(frame)) return;
    round.arrivals[index] = at;
    round.sizes.push(frame.length + FRAME_END.length);
    if (--round.waiting === 0) round.allArrived();
  }
}

/** The reference server in its own process, so its RSS is its own. */
async function startBareServer(eventBytes: number, timeoutMs: number): Promise<{ url: string; child: ChildProcess; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ["--import", "tsx", BARE_SERVER, String(eventBytes)], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await withTimeout(exited, 5_000).catch(() => child.kill("SIGKILL"));
  };
  let output = "";
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  try {
    const url = await withTimeout(
      new Promise<string>((resolve, reject) => {
        child.stdout!.on("data", (chunk: Buffer) => {
          output += chunk.toString();
          const match = /listening (http:\/\/\S+)/.exec(output);
          if (match) resolve(match[1]!);
        });
        void exited.then(() => reject(new Error(`bare SSE server exited:\n${output}`)));
      }),
      timeoutMs,
    );
    return { url, child, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function postIngest(baseUrl: string, ingestKey: string, metric: string): Promise<void> {
  await postOk(
    `${baseUrl}/api/ingest/metrics`,
    { authorization: `Bearer ${ingestKey}`, "content-type": "application/json" },
    JSON.stringify({ samples: [{ metric, service: PROBE_SERVICE, value: 1 }] }),
  );
}

async function postOk(url: string, headers: Record<string, string>, body: string): Promise<void> {
  const response = await fetch(url, { method: "POST", headers, body });
  if (response.status !== 200) throw new Error(`POST ${url} answered ${response.status}: ${await response.text()}`);
  await response.arrayBuffer();
}

/** Each stream holds one descriptor here and one in the server; both processes share this limit. */
function fitClientCount(requested: number, log: (line: string) => void): number {
  const limit = openFilesLimit();
  if (limit === undefined || requested + RESERVED_FDS <= limit) return requested;
  const fitted = Math.max(1, limit - RESERVED_FDS);
  log(`live: open-files limit is ${limit} (ulimit -n), so ${fitted} streams instead of ${requested}`);
  return fitted;
}

function openFilesLimit(): number | undefined {
  if (!existsSync("/proc/self/limits")) return undefined;
  const soft = /^Max open files\s+(\S+)/m.exec(readFileSync("/proc/self/limits", "utf8"))?.[1];
  return soft === undefined || soft === "unlimited" ? undefined : Number(soft);
}

/** Resident set size in KiB, from /proc (Linux only). */
function readRssKb(pid: number | undefined): number | undefined {
  if (pid === undefined || !existsSync(`/proc/${pid}/status`)) return undefined;
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  return kb === undefined ? undefined : Number(kb);
}

/** Nearest-rank percentile. */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

function ratio(measured: number, reference: number): number {
  return Number((measured / reference).toFixed(3));
}

function formatKb(kb: number | null): string {
  return kb === null ? "n/a" : `${kb.toFixed(1)} KiB`;
}

class TimeoutError extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new TimeoutError(`timed out after ${Math.round(ms)} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
