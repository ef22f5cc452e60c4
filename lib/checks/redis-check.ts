import { connect, type Socket } from "node:net";
import type { CheckState } from "@/db/schema";
import type { Sample } from "@/lib/ingest/batch-schema";
import { checkSamples } from "./health-checks";
import type { CheckVerdict } from "./judge-response";

/** How often the runtime checks Redis when `REDIS_URL` is set. */
export const REDIS_CHECK_INTERVAL_MS = 5000;
/** Below the interval, so one slow probe never overlaps the next. */
export const REDIS_CHECK_TIMEOUT_MS = 2000;
/** Slower PINGs than this are a warning, as for Vigil's own store. */
export const REDIS_WARNING_LATENCY_MS = 100;
/** More of maxmemory in use than this is a warning: Redis starts evicting or refusing writes at 100%. */
export const REDIS_WARNING_MEMORY_RATIO = 0.9;

export interface RedisProbeResult {
  /** Round trip of one PING, after connecting and authenticating. */
  latencyMs: number;
  usedMemoryBytes: number;
  /** 0 when Redis has no memory limit. */
  maxMemoryBytes: number;
  connectedClients: number;
}

/** A failed probe, with how long it took to fail (recorded as the check's latency). */
export class RedisProbeError extends Error {
  constructor(
    message: string,
    readonly latencyMs: number,
  ) {
    super(message);
    this.name = "RedisProbeError";
  }
}

interface RedisTarget {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db?: number;
}

/**
 * `redis://[[user]:password@]host[:port][/db]`; AUTH is sent only with a password (a user alone
 * means nothing to Redis). TLS (`rediss://`) would need certificates this check does not handle.
 */
export function parseRedisUrl(url: string): RedisTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error("REDIS_URL is not a URL: expected redis://[[user]:password@]host[:port][/db]");
  }
  if (parsed.protocol === "rediss:") throw new Error("rediss:// (Redis over TLS) is not supported by the built-in Redis check; use redis://");
  if (parsed.protocol !== "redis:") throw new Error(`REDIS_URL must start with redis://, not ${parsed.protocol}//`);
  const dbPath = parsed.pathname.replace(/^\//, "");
  if (dbPath !== "" && !/^\d+$/.test(dbPath)) throw new Error(`REDIS_URL's path must be a database number, not /${dbPath}`);
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, "$1") || "127.0.0.1",
    port: parsed.port ? Number(parsed.port) : 6379,
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: dbPath === "" ? undefined : Number(dbPath),
  };
}

/** An error reply (`-ERR ...`, `-WRONGPASS ...`): Redis's own refusal, as opposed to a broken connection. */
class RedisErrorReply extends Error {}

type Reply = string | number | null | RedisErrorReply | Reply[];

/** One RESP2 reply from `buffer` at `offset`, or undefined while it is incomplete. */
function parseReply(buffer: Buffer, offset: number): { value: Reply; next: number } | undefined {
  const lineEnd = buffer.indexOf("\r\n", offset);
  if (lineEnd === -1) return undefined;
  const type = String.fromCharCode(buffer[offset]!);
  const line = buffer.toString("utf8", offset + 1, lineEnd);
  const afterLine = lineEnd + 2;
  switch (type) {
    case "+":
      return { value: line, next: afterLine };
    case "-":
      return { value: new RedisErrorReply(line), next: afterLine };
    case ":":
      return { value: Number(line), next: afterLine };
    case "$": {
      const length = Number(line);
      if (length < 0) return { value: null, next: afterLine };
      if (buffer.length < afterLine + length + 2) return undefined;
      return { value: buffer.toString("utf8", afterLine, afterLine + length), next: afterLine + length + 2 };
    }
    case "*": {
      const count = Number(line);
      if (count < 0) return { value: null, next: afterLine };
      const items: Reply[] = [];
      let next = afterLine;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buffer, next);
        if (!item) return undefined;
        items.push(item.value);
        next = item.next;
      }
      return { value: items, next };
    }
    default:
      throw new Error(`not a RESP reply (starts with ${JSON.stringify(type)})`);
  }
}

function encodeCommand(args: readonly string[]): Buffer {
  const parts = [`*${args.length}\r\n`];
  for (const arg of args) parts.push(`$${Buffer.byteLength(arg)}\r\n${arg}\r\n`);
  return Buffer.from(parts.join(""));
}

/** The smallest RESP2 connection that does what the check needs: one command at a time, in order. */
class RespConnection {
  /** Resolves once connected; rejects if the socket fails or closes first. */
  readonly ready: Promise<void>;
  private readonly socket: Socket;
  private buffer: Buffer = Buffer.alloc(0);
  private waiting: { resolve: (reply: Reply) => void; reject: (error: Error) => void }[] = [];
  private failure: Error | undefined;
  private rejectReady: (error: Error) => void = () => {};

  constructor(host: string, port: number) {
    // The socket exists from the start, so close() stops it at any stage, connecting included.
    this.socket = connect({ host, port, noDelay: true });
    this.ready = new Promise((resolve, reject) => {
      this.socket.once("connect", () => resolve());
      this.rejectReady = reject;
    });
    this.ready.catch(() => {}); // a probe that timed out never awaits it
    this.socket.on("data", (chunk: Buffer) => this.receive(chunk));
    this.socket.on("error", (error) => this.fail(error));
    this.socket.on("close", () => this.fail(new Error("Redis closed the connection")));
  }

  /** Sends one command and resolves with its reply; a Redis error reply rejects. */
  async command(...args: string[]): Promise<Reply> {
    if (this.failure) throw this.failure;
    const reply = await new Promise<Reply>((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.socket.write(encodeCommand(args));
    });
    if (reply instanceof RedisErrorReply) throw reply;
    return reply;
  }

  close(): void {
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    try {
      let parsed;
      while (this.waiting.length > 0 && (parsed = parseReply(this.buffer, 0))) {
        this.buffer = this.buffer.subarray(parsed.next);
        this.waiting.shift()!.resolve(parsed.value);
      }
    } catch (error) {
      this.fail(error as Error);
      this.socket.destroy();
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.rejectReady(this.failure);
    for (const waiter of this.waiting.splice(0)) waiter.reject(this.failure);
  }
}

/** `used_memory`, `maxmemory` and `connected_clients` from an INFO reply. */
function readInfo(info: string): Omit<RedisProbeResult, "latencyMs"> {
  const fields = new Map<string, string>();
  for (const line of info.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0 && !line.startsWith("#")) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  const field = (name: string) => {
    const raw = fields.get(name);
    const value = Number(raw);
    if (raw === undefined || raw === "" || !Number.isFinite(value)) throw new Error(`Redis INFO did not report ${name}`);
    return value;
  };
  return { usedMemoryBytes: field("used_memory"), maxMemoryBytes: field("maxmemory"), connectedClients: field("connected_clients") };
}

/**
 * Connects to Redis, authenticates and selects the database from the URL, times one PING
 * and reads INFO, all within `timeoutMs`. Rejects with a RedisProbeError saying what failed.
 */
export async function probeRedis(url: string, timeoutMs: number): Promise<RedisProbeResult> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  let target: RedisTarget;
  try {
    target = parseRedisUrl(url);
  } catch (error) {
    throw new RedisProbeError((error as Error).message, 0);
  }
  const where = `${target.host}:${target.port}`;
  const connection = new RespConnection(target.host, target.port);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RedisProbeError(`Redis at ${where} did not answer within ${timeoutMs} ms`, elapsed())), timeoutMs);
  });

  const run = async (): Promise<RedisProbeResult> => {
    const step = async <T>(what: string, action: () => Promise<T>): Promise<T> => {
      try {
        return await action();
      } catch (error) {
        const message = error instanceof RedisErrorReply ? `Redis refused ${what}: ${error.message}` : `${what} failed: ${(error as Error).message}`;
        throw new RedisProbeError(message, elapsed());
      }
    };
    await step(`connecting to Redis at ${where}`, () => connection.ready);
    if (target.password !== undefined) {
      // Never echo the password back in the error: only Redis's own words.
      const credentials = target.username ? [target.username, target.password] : [target.password];
      await step("AUTH", () => connection.command("AUTH", ...credentials));
    }
    if (target.db !== undefined) await step(`SELECT ${target.db}`, () => connection.command("SELECT", String(target.db)));
    const pingStarted = performance.now();
    const pong = await step("PING", () => connection.command("PING"));
    const latencyMs = performance.now() - pingStarted;
    if (pong !== "PONG") throw new RedisProbeError(`Redis answered PING with ${JSON.stringify(pong)}`, elapsed());
    const info = await step("INFO", () => connection.command("INFO"));
    if (typeof info !== "string") throw new RedisProbeError("Redis answered INFO with something other than text", elapsed());
    return { latencyMs, ...(await step("reading INFO", async () => readInfo(info))) };
  };

  try {
    return await Promise.race([run(), deadline]);
  } finally {
    clearTimeout(timer);
    connection.close();
  }
}

/** Healthy, warning or down, with the reason. Pure. */
export function judgeRedis(outcome: RedisProbeResult | Error): CheckVerdict {
  if (outcome instanceof Error) return { state: "down", reason: outcome.message };
  const took = `PING in ${Math.round(outcome.latencyMs)} ms`;
  if (outcome.latencyMs > REDIS_WARNING_LATENCY_MS) return { state: "warning", reason: `${took}, slower than ${REDIS_WARNING_LATENCY_MS} ms` };
  if (outcome.maxMemoryBytes > 0 && outcome.usedMemoryBytes > REDIS_WARNING_MEMORY_RATIO * outcome.maxMemoryBytes) {
    const percent = Math.round((100 * outcome.usedMemoryBytes) / outcome.maxMemoryBytes);
    return { state: "warning", reason: `${took}, memory ${percent}% of maxmemory` };
  }
  return { state: "healthy", reason: took };
}

/**
 * Redis recorded like an HTTP check (check=redis: up, state code, latency) plus its figures
 * under service "redis". A failed probe records only the check, as down. Pure.
 */
export function redisCheckSamples(outcome: RedisProbeResult | Error, ts: number): Sample[] {
  const state: CheckState = judgeRedis(outcome).state;
  if (outcome instanceof Error) return checkSamples("redis", state, outcome instanceof RedisProbeError ? outcome.latencyMs : 0, ts);
  const redis = (metric: string, value: number, unit: string): Sample => ({ metric, service: "redis", unit, tags: {}, value, ts });
  return [
    ...checkSamples("redis", state, outcome.latencyMs, ts),
    redis("redis.ping_time", outcome.latencyMs, "ms"),
    redis("redis.memory.used", outcome.usedMemoryBytes, "bytes"),
    redis("redis.memory.max", outcome.maxMemoryBytes, "bytes"),
    redis("redis.clients.connected", outcome.connectedClients, "clients"),
  ];
}

/**
 * The runtime's periodic Redis check: probes, hands the samples to `sink`, and rethrows a
 * failure (after recording it as down) so the caller's loop logs why, as the store probe does.
 */
export function redisCheckTask(url: string, sink: { add(samples: readonly Sample[]): void }, timeoutMs = REDIS_CHECK_TIMEOUT_MS): () => Promise<void> {
  return async () => {
    const outcome = await probeRedis(url, timeoutMs).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
    sink.add(redisCheckSamples(outcome, Date.now()));
    if (outcome instanceof Error) throw outcome;
  };
}
