import { describe, expect, it } from "vitest";
import { startVigilProcess, TEST_INGEST_KEY } from "../support/vigil-process";

describe("process lifecycle", () => {
  it("SIGTERM finishes the write in flight, then exits 0", async () => {
    const vigil = await startVigilProcess();
    try {
      const samples = Array.from({ length: 5000 }, (_, i) => ({ metric: "test.shutdown", value: i }));
      const write = fetch(`${vigil.url}/api/ingest/metrics`, {
        method: "POST",
        headers: { authorization: `Bearer ${TEST_INGEST_KEY}`, "content-type": "application/json" },
        body: JSON.stringify({ samples }),
      });
      await new Promise((r) => setTimeout(r, 20));
      const exitCode = vigil.stop();
      const response = await write.catch(() => undefined);
      // Either the write was taken (and then it is committed) or it was refused outright; never half.
      if (response) expect([200, 503]).toContain(response.status);
      expect(await exitCode, vigil.output()).toBe(0);
      expect(vigil.output()).toContain("stopped cleanly");
    } finally {
      await vigil.stop();
    }
  });
});
