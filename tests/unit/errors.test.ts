import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { AppError, formatPath, fromZodError, toErrorResponse } from "@/lib/errors";

describe("formatPath", () => {
  it.each([
    [[], ""],
    [["samples"], "samples"],
    [["samples", 3, "value"], "samples[3].value"],
    [["tags", "region"], "tags.region"],
    [[0, "a"], "[0].a"],
  ])("%j → %s", (path, expected) => expect(formatPath(path)).toBe(expected));
});

describe("toErrorResponse", () => {
  it.each([
    ["INVALID", 400],
    ["UNAUTHORIZED", 401],
    ["FORBIDDEN", 403],
    ["NOT_FOUND", 404],
    ["CONFLICT", 409],
    ["TOO_LARGE", 413],
    ["RATE_LIMITED", 429],
    ["UNAVAILABLE", 503],
  ] as const)("%s → %d in the documented shape", async (code, status) => {
    const response = toErrorResponse(new AppError(code, "what went wrong"));
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual({ error: { code, message: "what went wrong" } });
  });

  it("sends Retry-After, rounded up, never zero", () => {
    expect(toErrorResponse(new AppError("RATE_LIMITED", "slow down", undefined, 2.2)).headers.get("retry-after")).toBe("3");
    expect(toErrorResponse(new AppError("UNAVAILABLE", "starting", undefined, 0)).headers.get("retry-after")).toBe("1");
    expect(toErrorResponse(new AppError("INVALID", "bad")).headers.get("retry-after")).toBeNull();
  });

  it("closes the connection after refusing a too-large body", () => {
    expect(toErrorResponse(new AppError("TOO_LARGE", "big")).headers.get("connection")).toBe("close");
  });

  it("maps a ZodError to 400 with each field path", async () => {
    const result = z.object({ a: z.array(z.object({ b: z.number() })) }).safeParse({ a: [{ b: "x" }] });
    const response = toErrorResponse(result.error);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { message: string; details: { issues: { path: string }[] } } };
    expect(body.error.message).toMatch(/^a\[0\]\.b: /);
    expect(body.error.details.issues[0]!.path).toBe("a[0].b");
  });

  it("turns an unknown error into a 500 that leaks nothing", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const response = toErrorResponse(new Error("password=hunter2 in a stack"));
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: { code: "INTERNAL", message: "internal error" } });
    log.mockRestore();
  });

  it("a ZodError without issues still reads sensibly", () => {
    expect(fromZodError(new z.ZodError([])).message).toBe("invalid input");
    expect(fromZodError(new z.ZodError([{ code: "custom", path: [], message: "whole thing wrong", input: 1 }])).message).toBe(
      "whole thing wrong",
    );
  });
});
