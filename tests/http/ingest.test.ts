import { describe, expect, it } from "vitest";
import type { DashboardSnapshot } from "@/lib/metrics/dashboard";
import { getJson, ingest, signIn } from "../support/http-client";

type ErrorBody = { error: { code: string; message: string; details?: { issues: { path: string }[] } } };

describe("POST /api/ingest/metrics", () => {
  it("401 without a key, with a malformed header, or with a wrong key", async () => {
    for (const response of [
      await ingest({ samples: [{ metric: "a", value: 1 }] }, null),
      await ingest({ samples: [{ metric: "a", value: 1 }] }, null, { headers: { authorization: "Basic abc" } }),
      await ingest({ samples: [{ metric: "a", value: 1 }] }, "vgl_wrong_key_0000000000"),
    ]) {
      expect(response.status).toBe(401);
      expect(((await response.json()) as ErrorBody).error.code).toBe("UNAUTHORIZED");
    }
  });

  it.each([
    [{ samples: [{ metric: "a", value: "fast" }] }, "samples[0].value"],
    [{ samples: [{ metric: "ok", value: 1 }, { metric: "", value: 1 }] }, "samples[1].metric"],
    [{ samples: [{ metric: "a b", value: 1 }] }, "samples[0].metric"],
    [{ samples: [{ metric: "a", value: 1, timestamp: "yesterday" }] }, "samples[0].timestamp"],
    [{ samples: [{ metric: "a", value: 1, tags: { k: 5 } }] }, "samples[0].tags.k"],
    [{ samples: [] }, "samples"],
    [{ metrics: [] }, "samples"],
  ])("400 names the field: %j", async (body, path) => {
    const response = await ingest(body);
    expect(response.status).toBe(400);
    const error = ((await response.json()) as ErrorBody).error;
    expect(error.code).toBe("INVALID");
    expect(error.details?.issues.map((i) => i.path)).toContain(path);
    expect(error.message).toContain(path);
  });

  it("400 for a body that is not JSON", async () => {
    const response = await ingest("{not json");
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorBody).error.message).toMatch(/not valid JSON/);
  });

  it("413 for a body over 1 MB, declared or streamed", async () => {
    const big = JSON.stringify({ samples: [{ metric: "a", value: 1, tags: { pad: "x".repeat(400) } }] }).padEnd(1024 * 1024 + 10, " ");
    const response = await ingest(big);
    expect(response.status).toBe(413);
    expect(((await response.json()) as ErrorBody).error.code).toBe("TOO_LARGE");

    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode(" ".repeat(64 * 1024)));
        controller.close();
      },
    });
    const streamed = await ingest("", undefined, { body: chunks, duplex: "half" } as RequestInit);
    expect(streamed.status).toBe(413);
  });

  it("200 means committed: the sample is readable at once, and a bad batch writes nothing", async () => {
    const metric = `test.committed_${Date.now()}`;
    const bad = await ingest({ samples: [{ metric, value: 1 }, { metric, value: Number.NaN }] });
    expect(bad.status).toBe(400);
    const good = await ingest({ samples: [{ metric, value: 42, service: "checkout", unit: "ms", tags: { region: "eu" } }] });
    expect(good.status).toBe(200);
    expect(await good.json()).toEqual({ accepted: 1 });

    const { cookie } = await signIn();
    const { body } = await getJson<DashboardSnapshot>("/api/admin/monitoring/metrics/realtime", cookie);
    const mine = body.latest.filter((v) => v.metric === metric);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ value: 42, service: "checkout", unit: "ms", tags: { region: "eu" } });
  });
});
