import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { fromZodError } from "@/lib/errors";
import { MAX_SAMPLES_PER_BATCH, parseBatch } from "@/lib/ingest/batch-schema";

const NOW = Date.parse("2026-01-05T10:00:00Z");

function pathsOf(body: unknown): string[] {
  try {
    parseBatch(body, NOW);
  } catch (error) {
    return (fromZodError(error as ZodError).details as { issues: { path: string }[] }).issues.map((i) => i.path);
  }
  throw new Error("expected a validation error");
}

describe("parseBatch", () => {
  it("fills defaults: now for timestamp, 'default' service, no tags", () => {
    expect(parseBatch({ samples: [{ metric: "api.response_time", value: 12.5 }] }, NOW)).toEqual([
      { metric: "api.response_time", service: "default", unit: undefined, tags: {}, value: 12.5, ts: NOW },
    ]);
  });

  it("takes epoch milliseconds and ISO timestamps with a zone", () => {
    const [a, b] = parseBatch(
      {
        samples: [
          { metric: "m", value: 1, timestamp: NOW - 1000 },
          { metric: "m", value: 2, timestamp: "2026-01-05T09:59:00+00:00", service: "api", unit: "ms", tags: { route: "/x" } },
        ],
      },
      NOW,
    );
    expect(a!.ts).toBe(NOW - 1000);
    expect(b).toEqual({ metric: "m", service: "api", unit: "ms", tags: { route: "/x" }, value: 2, ts: NOW - 60_000 });
  });

  it.each([
    [{}, "samples"],
    [{ samples: "x" }, "samples"],
    [{ samples: [] }, "samples"],
    [{ samples: [{ value: 1 }] }, "samples[0].metric"],
    [{ samples: [{ metric: "1abc", value: 1 }] }, "samples[0].metric"],
    [{ samples: [{ metric: "m" }] }, "samples[0].value"],
    [{ samples: [{ metric: "m", value: null }] }, "samples[0].value"],
    [{ samples: [{ metric: "m", value: 1, timestamp: -5 }] }, "samples[0].timestamp"],
    [{ samples: [{ metric: "m", value: 1, timestamp: "2026-01-05T10:00:00" }] }, "samples[0].timestamp"],
    [{ samples: [{ metric: "m", value: 1, timestamp: NOW + 3_600_000 }] }, "samples[0].timestamp"],
    [{ samples: [{ metric: "m", value: 1, service: "has space" }] }, "samples[0].service"],
    [{ samples: [{ metric: "m", value: 1, unit: "" }] }, "samples[0].unit"],
    [{ samples: [{ metric: "m", value: 1, tags: { k: 1 } }] }, "samples[0].tags.k"],
  ])("%j fails at %s", (body, path) => expect(pathsOf(body)).toContain(path));

  it(`refuses more than ${MAX_SAMPLES_PER_BATCH} samples in one batch`, () => {
    const samples = Array.from({ length: MAX_SAMPLES_PER_BATCH + 1 }, () => ({ metric: "m", value: 1 }));
    expect(pathsOf({ samples })).toContain("samples");
  });
});
