import { describe, expect, it } from "vitest";
import {
  backoffDelay,
  decideAfterFailure,
  decideAfterMessage,
  describeConnection,
  fallbackOf,
  formatAge,
  LIVE_POLICY,
  upgradeCandidates,
  type ConnectionView,
  type TransportState,
} from "@/lib/live/transport-policy";

const on = (transport: TransportState["transport"], failures = 0, attempt = 0): TransportState => ({ transport, failures, attempt });

describe("backoffDelay", () => {
  it.each([
    // attempt, random, delay: full jitter, uniform below min(30 s, 1 s · 2^attempt)
    [0, 0, 0],
    [0, 0.5, 500],
    [0, 0.999, 999],
    [1, 0.5, 1000],
    [3, 0.5, 4000],
    [4, 0.999, 15_984],
    [5, 0.5, 15_000], // 32 s capped at 30 s
    [10, 0.5, 15_000],
    [1000, 0.5, 15_000], // 2^1000 is Infinity; the cap still holds
  ])("attempt %i, random %f → %i ms", (attempt, random, delay) => expect(backoffDelay(attempt, random)).toBe(delay));

  it("stays below the cap even when random is 1 or out of range", () => {
    expect(backoffDelay(20, 1)).toBeLessThan(LIVE_POLICY.backoffMaxMs);
    expect(backoffDelay(2, -3)).toBe(0);
  });
});

describe("transport order", () => {
  it.each([
    ["sse", "websocket", []],
    ["websocket", "polling", ["sse"]],
    ["polling", null, ["sse", "websocket"]],
  ] as const)("%s falls back to %s and tries to get back to %j", (transport, below, better) => {
    expect(fallbackOf(transport)).toBe(below);
    expect(upgradeCandidates(transport)).toEqual(better);
  });
});

describe("decideAfterFailure", () => {
  const reachable = { kind: "error", serverReachable: true } as const;
  it.each([
    { name: "first SSE failure with the server up: retry SSE after backoff", state: on("sse"), failure: reachable, transport: "sse", failures: 1, attempt: 1, delayMs: 500 },
    { name: "second failure: still SSE, longer backoff", state: on("sse", 1, 1), failure: reachable, transport: "sse", failures: 2, attempt: 2, delayMs: 1000 },
    { name: "third failure in a row: WebSocket, at once", state: on("sse", 2, 2), failure: reachable, transport: "websocket", failures: 0, attempt: 0, delayMs: 0 },
    { name: "third WebSocket failure: polling, at once", state: on("websocket", 2, 2), failure: reachable, transport: "polling", failures: 0, attempt: 0, delayMs: 0 },
    { name: "SSE opened but silent (buffering proxy): WebSocket at once", state: on("sse"), failure: { kind: "silent", serverReachable: true }, transport: "websocket", failures: 0, attempt: 0, delayMs: 0 },
    { name: "WebSocket silent: polling at once", state: on("websocket", 1, 1), failure: { kind: "silent", serverReachable: true }, transport: "polling", failures: 0, attempt: 0, delayMs: 0 },
    { name: "server down: stay on SSE, count nothing against it, back off", state: on("sse", 2, 5), failure: { kind: "error", serverReachable: false }, transport: "sse", failures: 2, attempt: 6, delayMs: 15_000 },
    { name: "server down while silent: still not the transport's fault", state: on("sse"), failure: { kind: "silent", serverReachable: false }, transport: "sse", failures: 0, attempt: 1, delayMs: 500 },
    { name: "polling is the last resort: back off, never further", state: on("polling", 0, 3), failure: { kind: "error", serverReachable: false }, transport: "polling", failures: 0, attempt: 4, delayMs: 4000 },
  ] as const)("$name", ({ state, failure, transport, failures, attempt, delayMs }) => {
    const decision = decideAfterFailure(state, failure, 0.5);
    expect({ transport: decision.transport, failures: decision.failures, attempt: decision.attempt, delayMs: decision.delayMs }).toEqual({
      transport,
      failures,
      attempt,
      delayMs,
    });
    expect(decision.reason).not.toBe("");
  });

  it("says why it moved", () => {
    expect(decideAfterFailure(on("sse", 2, 2), reachable, 0).reason).toBe("sse failed 3 times in a row with the server up: fall back to websocket");
    expect(decideAfterFailure(on("sse"), { kind: "silent", serverReachable: true }, 0).reason).toBe("sse opened but delivered nothing: fall back to websocket");
  });

  it("a message resets the failure count and the backoff, not the transport", () => {
    expect(decideAfterMessage(on("websocket", 2, 4))).toEqual(on("websocket"));
  });
});

describe("describeConnection", () => {
  const now = 1_000_000;
  const view = (over: Partial<ConnectionView>): ConnectionView => ({ transport: "sse", phase: "open", lastUpdateAt: now - 2000, online: true, ...over });
  it.each([
    ["SSE delivering", view({}), "live", "Live"],
    ["WebSocket delivering", view({ transport: "websocket" }), "live", "Live (WebSocket)"],
    ["polling", view({ transport: "polling" }), "polling", "Polling"],
    ["open but quiet for 20 s", view({ lastUpdateAt: now - 20_000 }), "stale", "Stale – last update 20 s ago"],
    ["first connection, nothing yet", view({ phase: "connecting", lastUpdateAt: null }), "connecting", "Connecting…"],
    ["first connection, with the initial fetch in", view({ phase: "connecting", lastUpdateAt: now - 1000 }), "connecting", "Connecting…"],
    ["down for 10 s", view({ phase: "down", lastUpdateAt: now - 10_000 }), "reconnecting", "Reconnecting…"],
    ["down, exactly at the offline threshold", view({ phase: "down", lastUpdateAt: now - 30_000 }), "reconnecting", "Reconnecting…"],
    ["down for 40 s", view({ phase: "down", lastUpdateAt: now - 40_000 }), "offline", "Offline – last update 40 s ago"],
    ["down for 3 min", view({ phase: "down", lastUpdateAt: now - 185_000 }), "offline", "Offline – last update 3 min ago"],
    ["the browser is offline", view({ online: false, lastUpdateAt: now - 5000 }), "offline", "Offline – last update 5 s ago"],
    ["the browser is offline, never updated", view({ online: false, lastUpdateAt: null }), "offline", "Offline – no update yet"],
    ["down, never updated", view({ phase: "down", lastUpdateAt: null }), "reconnecting", "Reconnecting…"],
  ] as const)("%s → %s %j", (_name, v, kind, text) => expect(describeConnection(v, now)).toEqual({ kind, text }));
});

describe("formatAge", () => {
  it.each([
    [0, "0 s"],
    [1499, "1 s"],
    [2000, "2 s"],
    [59_400, "59 s"],
    [60_000, "1 min"],
    [3_599_000, "59 min"],
    [7_200_000, "2 h"],
    [-500, "0 s"], // a clock a little behind the server's
  ])("%i ms → %s", (ms, text) => expect(formatAge(ms)).toBe(text));
});
