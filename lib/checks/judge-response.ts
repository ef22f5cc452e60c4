import type { CheckState } from "@/db/schema";
import { checkBodyCondition, type BodyCondition } from "./body-condition";

export interface CheckSpec {
  expectedStatus: number;
  timeoutMs: number;
  warningLatencyMs: number | null;
  bodyCondition: BodyCondition | null;
}

/** What a probe saw: a response, or an error before one. */
export type ProbeOutcome =
  | { kind: "response"; status: number; latencyMs: number; body: string }
  | { kind: "timeout"; latencyMs: number }
  | { kind: "error"; latencyMs: number; message: string };

export interface CheckVerdict {
  state: CheckState;
  reason: string;
}

/** Healthy, warning or down, with the reason an admin reads ("HTTP 503", "timeout after 5 s"). Pure. */
export function judgeResponse(spec: CheckSpec, outcome: ProbeOutcome): CheckVerdict {
  if (outcome.kind === "timeout") return { state: "down", reason: `timeout after ${spec.timeoutMs / 1000} s` };
  if (outcome.kind === "error") return { state: "down", reason: outcome.message };
  if (outcome.status !== spec.expectedStatus) {
    return { state: "down", reason: `HTTP ${outcome.status}, expected ${spec.expectedStatus}` };
  }
  if (spec.bodyCondition) {
    let json: unknown;
    try {
      json = JSON.parse(outcome.body);
    } catch {
      return { state: "down", reason: "body is not JSON, so its condition cannot hold" };
    }
    const met = checkBodyCondition(spec.bodyCondition, json);
    if (!met.ok) return { state: "down", reason: met.reason };
  }
  const took = `${Math.round(outcome.latencyMs)} ms`;
  if (spec.warningLatencyMs !== null && outcome.latencyMs > spec.warningLatencyMs) {
    return { state: "warning", reason: `slow: ${took}, warning above ${spec.warningLatencyMs} ms` };
  }
  return { state: "healthy", reason: `HTTP ${outcome.status} in ${took}` };
}
