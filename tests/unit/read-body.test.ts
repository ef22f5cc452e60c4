import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { gzipSync } from "node:zlib";
import { readBody, readJsonBody } from "@/lib/http/read-body";

const post = (body: BodyInit | null, headers: Record<string, string> = {}) =>
  new Request("http://127.0.0.1/x", { method: "POST", body, headers, duplex: "half" } as RequestInit);

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as AppError).code;
  }
  return "none";
}

describe("readJsonBody", () => {
  it("parses JSON", async () => {
    expect(await readJsonBody(post('{"a":[1,2]}'))).toEqual({ a: [1, 2] });
  });

  it("refuses a declared length over the limit before reading", async () => {
    expect(await codeOf(readJsonBody(post("{}", { "content-length": "2000" }), { maxBytes: 1000 }))).toBe("TOO_LARGE");
  });

  it("refuses a streamed body once it passes the limit", async () => {
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new Uint8Array(600).fill(32));
      },
    });
    expect(await codeOf(readJsonBody(post(stream), { maxBytes: 1000 }))).toBe("TOO_LARGE");
  });

  it.each([
    [null, /empty/],
    ["   ", /empty/],
    ["{oops", /not valid JSON/],
  ])("400 for %j", async (body, message) => {
    const error = await readJsonBody(post(body)).catch((e: AppError) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("INVALID");
    expect((error as AppError).message).toMatch(message);
  });
});

describe("readBody with gzip", () => {
  const gz = (text: string) => new Uint8Array(gzipSync(text));

  it("inflates a gzip body", async () => {
    const body = await readBody(post(gz("hello"), { "content-encoding": "gzip" }));
    expect(Buffer.from(body).toString()).toBe("hello");
  });

  it("limits the inflated size, not just the compressed one", async () => {
    const bomb = gz(" ".repeat(100_000));
    expect(bomb.byteLength).toBeLessThan(1000);
    expect(await codeOf(readBody(post(bomb, { "content-encoding": "gzip" }), 1000))).toBe("TOO_LARGE");
  });

  it("400 for a body that claims gzip but is not", async () => {
    expect(await codeOf(readBody(post("plain", { "content-encoding": "gzip" })))).toBe("INVALID");
  });

  it("an absent body is empty", async () => {
    expect(await readBody(new Request("http://127.0.0.1/x"))).toHaveLength(0);
  });
});
