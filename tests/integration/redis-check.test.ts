import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { probeRedis, redisCheckSamples, redisCheckTask, RedisProbeError } from "@/lib/checks/redis-check";
import type { Sample } from "@/lib/ingest/batch-schema";

/** The machine's Redis (running here and on CI), without a password. */
const REAL_REDIS = process.env.REDIS_TEST_URL ?? "redis://127.0.0.1:6379";

/** Splits RESP arrays of bulk strings (what clients send) into commands; leaves a partial one in place. */
function readCommands(buffer: Buffer): { commands: string[][]; rest: Buffer } {
  const commands: string[][] = [];
  let offset = 0;
  for (;;) {
    const header = /^\*(\d+)\r\n/.exec(buffer.toString("latin1", offset));
    if (!header) break;
    let at = offset + header[0].length;
    const args: string[] = [];
    for (let i = 0; i < Number(header[1]); i++) {
      const bulk = /^\$(\d+)\r\n/.exec(buffer.toString("latin1", at));
      if (!bulk || buffer.length < at + bulk[0].length + Number(bulk[1]) + 2) return { commands, rest: buffer.subarray(offset) };
      at += bulk[0].length;
      args.push(buffer.toString("utf8", at, at + Number(bulk[1])));
      at += Number(bulk[1]) + 2;
    }
    commands.push(args);
    offset = at;
  }
  return { commands, rest: buffer.subarray(offset) };
}

/** A fake Redis on loopback: `answer` decides each reply (raw RESP), or undefined to stay silent. */
async function fakeRedis(answer: (command: string[]) => string | undefined) {
  const received: string[][] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    let pending: Buffer = Buffer.alloc(0);
    socket.on("data", (chunk) => {
      const { commands, rest } = readCommands(Buffer.concat([pending, chunk]));
      pending = rest;
      for (const command of commands) {
        received.push(command);
        const reply = answer(command);
        if (reply !== undefined) socket.write(reply);
      }
    });
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    received,
    openConnections: () => sockets.size,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The error a probe failed with; fails the test if it succeeded. */
async function failureOf(probing: Promise<unknown>): Promise<RedisProbeError> {
  const outcome = await probing.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(RedisProbeError);
  return outcome as RedisProbeError;
}

const bulk = (text: string) => `$${Buffer.byteLength(text)}\r\n${text}\r\n`;
const INFO = "# Clients\r\nconnected_clients:7\r\n\r\n# Memory\r\nused_memory:950\r\nused_memory_human:950B\r\nmaxmemory:1000\r\n";

/** Answers like a Redis with user `app` and password `s3cret`. */
function passwordProtected(command: string[]): string {
  const [name, ...args] = command;
  switch (name!.toUpperCase()) {
    case "AUTH":
      return args.join(" ") === "app s3cret" ? "+OK\r\n" : "-WRONGPASS invalid username-password pair or user is disabled.\r\n";
    case "SELECT":
      return "+OK\r\n";
    case "PING":
      return "+PONG\r\n";
    case "INFO":
      return bulk(INFO);
    default:
      return `-ERR unknown command '${name}'\r\n`;
  }
}

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanup.map((close) => close()));
  cleanup = [];
});

describe("the Redis check against a real Redis", () => {
  it("times a PING and reads memory and clients", async () => {
    const result = await probeRedis(REAL_REDIS, 2000);
    expect(result.latencyMs).toBeGreaterThan(0);
    expect(result.latencyMs).toBeLessThan(100);
    expect(result.usedMemoryBytes).toBeGreaterThan(0);
    expect(result.maxMemoryBytes).toBeGreaterThanOrEqual(0);
    expect(result.connectedClients).toBeGreaterThanOrEqual(1); // this probe's own connection

    const samples = redisCheckSamples(result, 1000);
    expect(samples.map((s) => [s.metric, s.service, s.tags])).toEqual([
      ["check.up", "checks", { check: "redis" }],
      ["check.state_code", "checks", { check: "redis" }],
      ["check.latency", "checks", { check: "redis" }],
      ["redis.ping_time", "redis", {}],
      ["redis.memory.used", "redis", {}],
      ["redis.memory.max", "redis", {}],
      ["redis.clients.connected", "redis", {}],
    ]);
    expect(samples[0]!.value).toBe(1);
  });

  it("selects the database in the URL's path", async () => {
    await expect(probeRedis(`${REAL_REDIS}/1`, 2000)).resolves.toMatchObject({ usedMemoryBytes: expect.any(Number) });
    await expect(probeRedis(`${REAL_REDIS}/99999`, 2000)).rejects.toThrow(/^Redis refused SELECT 99999: ERR /);
  });

  it("passes Redis's own refusal of a password on", async () => {
    // This Redis has no password: AUTH fails, with Redis's words and never the password.
    const failure = await failureOf(probeRedis(REAL_REDIS.replace("redis://", "redis://:not-the-password@"), 2000));
    expect(failure.message).toMatch(/^Redis refused AUTH: ERR /);
    expect(failure.message).not.toContain("not-the-password");
  });

  it("the runtime task records the check and rethrows nothing when Redis is up", async () => {
    const recorded: Sample[] = [];
    await redisCheckTask(REAL_REDIS, { add: (samples) => void recorded.push(...samples) })();
    expect(recorded.find((s) => s.metric === "check.state_code")?.value).toBeLessThanOrEqual(1);
    expect(recorded.some((s) => s.metric === "redis.memory.used")).toBe(true);
  });
});

describe("the Redis check against a fake Redis", () => {
  it("authenticates with the URL's user and password and selects its database", async () => {
    const fake = await fakeRedis(passwordProtected);
    cleanup.push(fake.close);
    const result = await probeRedis(`redis://app:s3cret@127.0.0.1:${fake.port}/3`, 2000);
    expect(fake.received).toEqual([["AUTH", "app", "s3cret"], ["SELECT", "3"], ["PING"], ["INFO"]]);
    expect(result).toMatchObject({ usedMemoryBytes: 950, maxMemoryBytes: 1000, connectedClients: 7 });
    // 95% of maxmemory: a warning even with a fast PING.
    expect(redisCheckSamples(result, 1000).find((s) => s.metric === "check.state_code")?.value).toBe(1);
    await expect.poll(fake.openConnections).toBe(0); // the probe closed its connection
  });

  it("sends a password alone as AUTH <password>, percent-decoded", async () => {
    const fake = await fakeRedis((command) => (command[0] === "AUTH" ? "+OK\r\n" : passwordProtected(command)));
    cleanup.push(fake.close);
    await probeRedis(`redis://:p%40ss%3Aword@127.0.0.1:${fake.port}`, 2000);
    expect(fake.received[0]).toEqual(["AUTH", "p@ss:word"]);
  });

  it("a wrong password is down with Redis's reason", async () => {
    const fake = await fakeRedis(passwordProtected);
    cleanup.push(fake.close);
    const failure = await failureOf(probeRedis(`redis://app:wrong@127.0.0.1:${fake.port}`, 2000));
    expect(failure.message).toBe("Redis refused AUTH: WRONGPASS invalid username-password pair or user is disabled.");
    expect(fake.received.map((c) => c[0])).toEqual(["AUTH"]); // stopped at the refusal
    expect(redisCheckSamples(failure, 1000).map((s) => [s.metric, s.value])).toEqual([
      ["check.up", 0],
      ["check.state_code", 2],
      ["check.latency", expect.any(Number)],
    ]);
  });

  it("an -ERR reply to AUTH (old Redis, requirepass) is refused the same way", async () => {
    const fake = await fakeRedis((command) => (command[0] === "AUTH" ? "-ERR invalid password\r\n" : "+PONG\r\n"));
    cleanup.push(fake.close);
    await expect(probeRedis(`redis://:wrong@127.0.0.1:${fake.port}`, 2000)).rejects.toThrow("Redis refused AUTH: ERR invalid password");
  });

  it("a Redis that never answers times out, and the connection is closed", async () => {
    const fake = await fakeRedis(() => undefined);
    cleanup.push(fake.close);
    const started = performance.now();
    const failure = await failureOf(probeRedis(`redis://127.0.0.1:${fake.port}`, 300));
    expect(failure.message).toBe(`Redis at 127.0.0.1:${fake.port} did not answer within 300 ms`);
    expect(failure.latencyMs).toBeGreaterThanOrEqual(290);
    expect(performance.now() - started).toBeLessThan(1000);
    await expect.poll(fake.openConnections).toBe(0);
    expect(redisCheckSamples(failure, 1000).find((s) => s.metric === "check.latency")?.value).toBe(failure.latencyMs);
  });

  it("a refused connection is down with the cause", async () => {
    const closed = await fakeRedis(() => undefined);
    await closed.close();
    await expect(probeRedis(`redis://127.0.0.1:${closed.port}`, 2000)).rejects.toThrow(
      new RegExp(`^connecting to Redis at 127\\.0\\.0\\.1:${closed.port} failed: .*ECONNREFUSED`),
    );
  });

  it("a server that closes the connection mid-conversation is down", async () => {
    const fake = await fakeRedis(() => undefined);
    cleanup.push(fake.close);
    const probing = probeRedis(`redis://127.0.0.1:${fake.port}`, 2000);
    await expect.poll(() => fake.received.length).toBe(1);
    await fake.close();
    await expect(probing).rejects.toThrow(/^PING failed: (Redis closed the connection|.*ECONNRESET)/);
  });

  it("something that is not Redis is down, not a hang", async () => {
    const fake = await fakeRedis(() => "HTTP/1.1 400 Bad Request\r\n\r\n");
    cleanup.push(fake.close);
    await expect(probeRedis(`redis://127.0.0.1:${fake.port}`, 2000)).rejects.toThrow(/not a RESP reply/);
  });

  it("the runtime task records a failure as down and rethrows it for the log", async () => {
    const fake = await fakeRedis(passwordProtected);
    cleanup.push(fake.close);
    const recorded: Sample[] = [];
    const task = redisCheckTask(`redis://app:wrong@127.0.0.1:${fake.port}`, { add: (samples) => void recorded.push(...samples) });
    await expect(task()).rejects.toThrow(/WRONGPASS/);
    expect(recorded.map((s) => [s.metric, s.value])).toEqual([
      ["check.up", 0],
      ["check.state_code", 2],
      ["check.latency", expect.any(Number)],
    ]);
  });

  it.each([
    ["rediss://127.0.0.1:6380", /^rediss:\/\/ \(Redis over TLS\) is not supported/],
    ["http://127.0.0.1:6379", /must start with redis:\/\//],
    ["redis://127.0.0.1:6379/cache", /path must be a database number/],
    ["not a url", /not a URL/],
  ])("refuses %s before connecting", async (url, message) => {
    await expect(probeRedis(url, 2000)).rejects.toThrow(message);
  });
});
