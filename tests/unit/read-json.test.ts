import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { readJsonBody } from "@/lib/http/read-json";

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
    expect(await codeOf(readJsonBody(post("{}", { "content-length": "2000" }), 1000))).toBe("TOO_LARGE");
  });

  it("refuses a streamed body once it passes the limit", async () => {
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new Uint8Array(600).fill(32));
      },
    });
    expect(await codeOf(readJsonBody(post(stream), 1000))).toBe("TOO_LARGE");
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
