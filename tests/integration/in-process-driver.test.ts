import { afterEach, describe, expect, it, vi } from "vitest";
import { Inngest, NonRetriableError, type Logger } from "inngest";
import { inngest as vigilClient } from "@/inngest/client";
import { vigilFunctions } from "@/inngest/functions";
import { jobRunMiddleware, type JobRun } from "@/inngest/middleware";
import { InProcessDriver, type InProcessDriverOptions } from "@/lib/workflows/in-process-driver";
import { InProcessEvents } from "@/lib/workflows/in-process-events";

const quiet: Logger = { info() {}, warn() {}, error() {}, debug() {} };

let drivers: InProcessDriver[] = [];
afterEach(async () => {
  await Promise.all(drivers.map((d) => d.stop()));
  drivers = [];
});

let apps = 0;
/** A real Inngest client set up as Vigil's is, recording job runs into `runs`. */
function testApp() {
  const runs: JobRun[] = [];
  const client = new Inngest({
    id: `driver-test-${++apps}`,
    eventKey: "in-process",
    logger: quiet,
    middleware: [InProcessEvents, jobRunMiddleware((run) => runs.push(run))],
  });
  return { client, runs };
}

function startDriver(options: InProcessDriverOptions) {
  const logged: string[] = [];
  const driver = new InProcessDriver({ retryDelayMs: () => 5, tickMs: 5, log: (message) => logged.push(message), ...options });
  drivers.push(driver);
  driver.start();
  return { driver, logged };
}

function deferred() {
  let release!: () => void;
  const promise = new Promise<void>((resolve) => (release = resolve));
  return { promise, release };
}

describe("in-process driver", () => {
  it("fires a cron function when the clock reaches its next minute, once per slot", async () => {
    const { client } = testApp();
    let clock = new Date("2026-03-10T12:00:30Z");
    const fired: unknown[] = [];
    const fn = client.createFunction({ id: "every-minute", triggers: [{ cron: "* * * * *" }] }, async ({ event, step }) => {
      await step.run("note", () => fired.push(event));
    });
    const { driver } = startDriver({ functions: [fn], now: () => clock });

    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(fired).toHaveLength(0);

    clock = new Date("2026-03-10T12:01:00Z");
    await vi.waitFor(() => expect(fired).toHaveLength(1));
    await driver.settled();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({ name: "inngest/scheduled.timer", data: { cron: "* * * * *" }, ts: clock.getTime() });

    clock = new Date("2026-03-10T12:02:10Z");
    await vi.waitFor(() => expect(fired).toHaveLength(2));
  });

  it("skips a cron slot while the previous run of that function is still going", async () => {
    const { client } = testApp();
    let clock = new Date("2026-03-10T12:00:30Z");
    let started = 0;
    const slow = deferred();
    const fn = client.createFunction({ id: "slow-minute", triggers: [{ cron: "* * * * *" }] }, async ({ step }) => {
      await step.run("work", async () => {
        started++;
        await slow.promise;
      });
    });
    const { driver, logged } = startDriver({ functions: [fn], now: () => clock });
    try {
      clock = new Date("2026-03-10T12:01:00Z");
      await vi.waitFor(() => expect(started).toBe(1), { timeout: 5000 });
      clock = new Date("2026-03-10T12:02:00Z");
      await vi.waitFor(() => expect(logged.some((line) => line.includes("skipping this slot"))).toBe(true), { timeout: 5000 });
      expect(started).toBe(1);
    } finally {
      slow.release(); // or stopping the driver would wait for this run forever
    }
    await driver.settled();
    clock = new Date("2026-03-10T12:03:00Z");
    await vi.waitFor(() => expect(started).toBe(2), { timeout: 5000 });
    await driver.settled();
  });

  it("retries a failing step with backoff; completed steps are not run again", async () => {
    const { client, runs } = testApp();
    const calls = { before: 0, flaky: 0, after: 0 };
    const fn = client.createFunction({ id: "flaky", retries: 3 }, async ({ step }) => {
      const before = await step.run("before", () => ++calls.before);
      const flaky = await step.run("flaky", () => {
        if (++calls.flaky < 3) throw new Error(`attempt ${calls.flaky} failed`);
        return { at: new Date("2026-01-01T00:00:00Z") };
      });
      await step.run("after", () => ++calls.after);
      return { before, flaky };
    });
    const { driver } = startDriver({ functions: [fn] });

    const outcome = await driver.runNow("flaky");

    expect(outcome).toMatchObject({ status: "completed", output: { before: 1, flaky: { at: "2026-01-01T00:00:00.000Z" } } });
    expect(calls).toEqual({ before: 1, flaky: 3, after: 1 });
    expect(runs).toEqual([{ functionId: "flaky", outcome: "ok", durationMs: expect.any(Number), at: expect.any(Number) }]);
  });

  it("fails the run once a step has used its retries, and records one error", async () => {
    const { client, runs } = testApp();
    let attempts = 0;
    const fn = client.createFunction({ id: "doomed", retries: 1 }, async ({ step }) => {
      await step.run("always-fails", () => {
        attempts++;
        throw new Error("still broken");
      });
    });
    const { driver, logged } = startDriver({ functions: [fn] });

    const outcome = await driver.runNow("doomed");

    expect(outcome.status).toBe("failed");
    expect(JSON.stringify(outcome)).toContain("still broken");
    expect(attempts).toBe(2);
    expect(runs).toMatchObject([{ functionId: "doomed", outcome: "error" }]);
    expect(logged).toEqual(["workflow doomed failed"]);
  });

  it("retries a handler that throws outside any step, keeping its memoized steps", async () => {
    const { client, runs } = testApp();
    let stepRuns = 0;
    const fn = client.createFunction({ id: "throws-once", retries: 2 }, async ({ step, attempt }) => {
      await step.run("once", () => ++stepRuns);
      if (attempt === 0) throw new Error("transient");
      return "done";
    });
    const { driver } = startDriver({ functions: [fn] });

    expect(await driver.runNow("throws-once")).toMatchObject({ status: "completed", output: "done" });
    expect(stepRuns).toBe(1);
    expect(runs).toMatchObject([{ functionId: "throws-once", outcome: "ok" }]);
  });

  it("does not retry a NonRetriableError", async () => {
    const { client, runs } = testApp();
    let attempts = 0;
    const fn = client.createFunction({ id: "gives-up", retries: 5 }, async () => {
      attempts++;
      throw new NonRetriableError("bad input");
    });
    const { driver } = startDriver({ functions: [fn] });

    expect((await driver.runNow("gives-up")).status).toBe("failed");
    expect(attempts).toBe(1);
    expect(runs).toMatchObject([{ outcome: "error" }]);
  });

  it("records durations from the run's start to its end, sleeps included", async () => {
    const { client, runs } = testApp();
    const clock = new Date("2026-03-10T12:00:00Z");
    const fn = client.createFunction({ id: "slow" }, async ({ step }) => {
      await step.run("work", () => new Promise((resolve) => setTimeout(resolve, 40)));
      await step.sleepUntil("pause", new Date(clock.getTime() + 60));
      return "rested";
    });
    const { driver } = startDriver({ functions: [fn], now: () => clock });

    expect(await driver.runNow("slow")).toMatchObject({ status: "completed", output: "rested" });
    expect(runs).toHaveLength(1);
    expect(runs[0]!.durationMs).toBeGreaterThanOrEqual(95);
    expect(runs[0]!.durationMs).toBeLessThan(5000);
  });

  it("runs parallel steps each once, one per request as Inngest does", async () => {
    const { client } = testApp();
    const calls: string[] = [];
    const fn = client.createFunction({ id: "fan-in" }, async ({ step }) => {
      const [a, b] = await Promise.all([step.run("a", () => calls.push("a")), step.run("b", () => calls.push("b"))]);
      const c = await step.run("c", () => calls.push("c"));
      return [a, b, c];
    });
    const { driver } = startDriver({ functions: [fn] });

    expect(await driver.runNow("fan-in")).toMatchObject({ status: "completed", output: [1, 2, 3] });
    expect(calls).toEqual(["a", "b", "c"]);
  });

  it("fails a step kind it cannot run, so the handler sees the error", async () => {
    const { client, runs } = testApp();
    const other = client.createFunction({ id: "other" }, async () => "hi");
    const fn = client.createFunction({ id: "invoker", retries: 0 }, async ({ step }) => step.invoke("call", { function: other }));
    const { driver } = startDriver({ functions: [fn, other] });

    const outcome = await driver.runNow("invoker");
    expect(outcome.status).toBe("failed");
    expect(JSON.stringify(outcome)).toContain("does not run InvokeFunction steps");
    expect(runs).toMatchObject([{ functionId: "invoker", outcome: "error" }]);
  });

  it("starts functions on sent events; step.sendEvent and inngest.send stay in process", async () => {
    const { client, runs } = testApp();
    const pongs: unknown[] = [];
    const ping = client.createFunction({ id: "ping", triggers: [{ event: "test/ping" }] }, async ({ event, step }) => {
      await step.sendEvent("fan-out", { name: "test/pong", data: { n: event.data.n } });
    });
    const pong = client.createFunction({ id: "pong", triggers: [{ event: "test/*" }] }, async ({ event }) => {
      if (event.name === "test/pong") pongs.push(event.data);
    });
    const { driver } = startDriver({ functions: [ping, pong] });

    const { ids } = await driver.send({ name: "test/ping", data: { n: 1 } });
    expect(ids).toHaveLength(1);
    await driver.settled();
    expect(pongs).toEqual([{ n: 1 }]);

    await client.send({ name: "test/ping", data: { n: 2 } });
    await driver.settled();
    expect(pongs).toEqual([{ n: 1 }, { n: 2 }]);
    // Two ping runs and four pong runs (the wildcard also catches the pings).
    expect(runs.filter((r) => r.functionId === "ping")).toHaveLength(2);
    expect(runs.filter((r) => r.functionId === "pong")).toHaveLength(4);
  });

  it("resumes step.waitForEvent with the matching event, or null at the timeout", async () => {
    const { client } = testApp();
    const fn = client.createFunction({ id: "await-ack", triggers: [{ event: "test/alert" }] }, async ({ step }) => {
      const ack = await step.waitForEvent("ack", { event: "test/ack", match: "data.alertId", timeout: "1s" });
      return ack ? ack.data : null;
    });
    const { driver } = startDriver({ functions: [fn] });

    const acked = driver.runNow("await-ack", { alertId: "a1" });
    await new Promise((resolve) => setTimeout(resolve, 30));
    await driver.send([
      { name: "test/ack", data: { alertId: "other" } },
      { name: "test/ack", data: { alertId: "a1", by: "ops" } },
    ]);
    expect(await acked).toMatchObject({ status: "completed", output: { alertId: "a1", by: "ops" } });

    expect(await driver.runNow("await-ack", { alertId: "a2" })).toMatchObject({ status: "completed", output: null });
  });

  it("cancels a waiting run when a matching cancelOn event arrives, and only that run", async () => {
    const { client } = testApp();
    const fn = client.createFunction(
      { id: "escalate", triggers: [{ event: "test/alert" }], cancelOn: [{ event: "test/resolved", match: "data.alertId" }] },
      async ({ step }) => {
        await step.waitForEvent("ack", { event: "test/ack", match: "data.alertId", timeout: "1h" });
        return step.run("page-again", () => "paged");
      },
    );
    const { driver } = startDriver({ functions: [fn] });

    const resolved = driver.runNow("escalate", { alertId: "a1" });
    const open = driver.runNow("escalate", { alertId: "a2" });
    await new Promise((resolve) => setTimeout(resolve, 30));
    await driver.send({ name: "test/resolved", data: { alertId: "a1" } });
    expect((await resolved).status).toBe("cancelled");

    await driver.send({ name: "test/ack", data: { alertId: "a2" } });
    expect(await open).toMatchObject({ status: "completed", output: "paged" });
  });

  it("runs an onFailure handler after the last attempt", async () => {
    const { client, runs } = testApp();
    const failures: string[] = [];
    const fn = client.createFunction(
      {
        id: "with-failure-handler",
        retries: 0,
        onFailure: async ({ error }) => {
          failures.push(error.message);
        },
      },
      async () => {
        throw new Error("nope");
      },
    );
    const { driver } = startDriver({ functions: [fn] });

    await driver.runNow("with-failure-handler");
    await driver.settled();
    expect(failures).toEqual(["nope"]);
    expect(runs.map((r) => `${r.functionId}:${r.outcome}`)).toEqual(["with-failure-handler:error", "with-failure-handler-failure:ok"]);
  });

  it("stop waits for executing runs and abandons sleeping ones", async () => {
    const { client } = testApp();
    const gate = deferred();
    const busy = client.createFunction({ id: "busy" }, async ({ step }) => {
      await step.run("wait-for-gate", () => gate.promise);
      await step.run("finish", () => "finished");
      return "ok";
    });
    const sleepy = client.createFunction({ id: "sleepy" }, async ({ step }) => {
      await step.sleep("nap", "1h");
    });
    const { driver } = startDriver({ functions: [busy, sleepy] });

    const busyRun = driver.runNow("busy");
    const sleepyRun = driver.runNow("sleepy");
    await new Promise((resolve) => setTimeout(resolve, 30));

    let stopped = false;
    const stopping = driver.stop().then(() => (stopped = true));
    expect((await sleepyRun).status).toBe("abandoned");
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(stopped).toBe(false);

    gate.release();
    await stopping;
    expect(await busyRun).toMatchObject({ status: "completed", output: "ok" });
    expect(() => driver.runNow("busy")).toThrow(/stopped/);
  });

  it("refuses functions whose options it would not honour", () => {
    const { client } = testApp();
    const debounced = client.createFunction({ id: "debounced", debounce: { period: "5s" }, triggers: [{ event: "test/x" }] }, async () => {});
    expect(() => new InProcessDriver({ functions: [debounced] })).toThrow(/does not honour debounce/);

    const filtered = client.createFunction({ id: "filtered", triggers: [{ event: "test/x", if: "event.data.a == 1" }] }, async () => {});
    const cancelledByExpression = client.createFunction({ id: "cancel-if", triggers: [{ event: "test/x" }], cancelOn: [{ event: "test/y", if: "async.data.a == 1" }] }, async () => {});
    expect(() => new InProcessDriver({ functions: [cancelledByExpression] })).toThrow(/cancelOn only with `match`/);
    expect(() => new InProcessDriver({ functions: [filtered] })).toThrow(/trigger `if`/);

    const plain = new Inngest({ id: "no-routing", logger: quiet });
    const stray = plain.createFunction({ id: "stray", triggers: [{ event: "test/x" }] }, async () => {});
    expect(() => new InProcessDriver({ functions: [stray] })).toThrow(/lacks the InProcessEvents middleware/);
  });

  it("runs Vigil's own functions against injected dependencies", async () => {
    const clock = new Date("2026-03-10T12:00:00Z");
    const rolledUp: Date[] = [];
    const detected: Date[] = [];
    const retained: Date[] = [];
    const digestRuns: Date[] = [];
    const functions = vigilFunctions({
      rollUpRecent: async (now) => void rolledUp.push(now),
      detectAnomalies: async (now) => void detected.push(now),
      enforceRetention: async (now) => void retained.push(now),
      notify: {
        loadSchedule: async () => ({ stopped: "no alerts here" }),
        planPage: async () => ({ stopped: "no alerts here" }),
        planResolutionNotices: async () => ({ stopped: "no alerts here" }),
        planDueDigests: async () => {
          digestRuns.push(clock);
          return [];
        },
        deliver: async (id) => ({ id, state: "missing" }),
      },
      now: () => clock,
    });
    expect(functions.every((fn) => fn["client"] === vigilClient)).toBe(true);
    const { driver } = startDriver({ functions, now: () => clock });

    expect((await driver.runNow("rollup-metrics")).status).toBe("completed");
    expect((await driver.runNow("enforce-retention")).status).toBe("completed");
    expect(rolledUp).toEqual([clock]);
    expect(detected).toEqual([clock]);
    expect(retained).toEqual([clock]);
    expect((await driver.runNow("send-digests")).status).toBe("completed");
    expect(digestRuns).toEqual([clock]);
  });
});
