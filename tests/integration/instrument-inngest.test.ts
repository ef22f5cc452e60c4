import { Inngest } from "inngest";
import { afterAll, describe, expect, it } from "vitest";
import { jobRunMiddleware } from "@/inngest/middleware";
import { createReporter, inngestRunRecorder } from "@/lib/instrument";
import { InProcessDriver } from "@/lib/workflows/in-process-driver";
import { InProcessEvents } from "@/lib/workflows/in-process-events";
import { SINK_KEY, startIngestSink } from "./instrument-sink";

const quiet = { info() {}, warn() {}, error() {}, debug() {} };

describe("a host app's Inngest jobs reported to Vigil", () => {
  const closing: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const close of closing) await close();
  });

  // The host app would run these on its Inngest server; the in-process driver stands in for it.
  it("every run's outcome and duration arrives as job.run.duration", async () => {
    const sink = await startIngestSink();
    closing.push(sink.close);
    const vigil = createReporter({ url: sink.url, ingestKey: SINK_KEY, service: "shop-worker", flushIntervalMs: 60_000 });
    closing.push(() => vigil.close());
    const client = new Inngest({ id: "shop", eventKey: "in-process", logger: quiet, middleware: [InProcessEvents, jobRunMiddleware(inngestRunRecorder(vigil))] });
    const sendReceipts = client.createFunction({ id: "send-receipts", retries: 0 }, async ({ step }) => step.run("send", () => "sent"));
    const syncInvoices = client.createFunction({ id: "sync-invoices", retries: 0 }, async ({ step }) =>
      step.run("sync", () => {
        throw new Error("ERP unreachable");
      }),
    );
    const driver = new InProcessDriver({ functions: [sendReceipts, syncInvoices], log: () => {} });
    closing.push(() => driver.stop());
    driver.start();

    expect(await driver.runNow("send-receipts")).toMatchObject({ status: "completed" });
    expect(await driver.runNow("sync-invoices")).toMatchObject({ status: "failed" });
    await vigil.flush();

    const samples = sink.posts.flatMap((p) => p.samples).filter((s) => s.metric === "job.run.duration");
    expect(samples.map((s) => [s.tags.function, s.tags.outcome]).sort()).toEqual([
      ["send-receipts", "ok"],
      ["sync-invoices", "error"],
    ]);
    for (const s of samples) {
      expect(s.service).toBe("shop-worker");
      expect(s.value).toBeGreaterThanOrEqual(0);
    }
  });
});
