import type { Channel, DeliveryState, Severity } from "@/db/schema";
import type { QuietHours } from "./quiet-hours";

/** One message the pipeline may send: a recipient on a channel. */
export interface Candidate {
  /** null: the team's default Slack channel. */
  recipientId: string | null;
  channel: Channel;
  /** Where the channel reaches them; null when their preferences give no address for it. */
  target: string | null;
  quietHours: QuietHours | null;
  breaksQuietHours: boolean;
}

/** A candidate a stage stopped, and why: stored as a delivery row the alert's page shows. */
export interface Decision {
  candidate: Candidate;
  state: Exclude<DeliveryState, "planned" | "sending" | "retrying" | "sent" | "failed" | "digested">;
  reason: string;
  /** Held by quiet hours: when they end. */
  dueAt?: Date;
}

/** What the stages decide on, read once before the pipeline runs; the clock is in it. */
export interface PipelineInput {
  now: Date;
  severity: Severity;
  /** The silence holding the alert back, in words; null when none matches. */
  silencedBy: string | null;
  /** The failing rule this alert depends on; null when none fires. */
  inhibitedBy: string | null;
  configured: Readonly<Record<Channel, boolean>>;
  /** Messages sent in the last hour per `channel:target`. */
  sentLastHour: ReadonlyMap<string, number>;
  maxPerHourPerTarget: number;
}

export interface StageResult {
  pass: Candidate[];
  decided: Decision[];
}

/** Takes candidates, returns those that go on and a decision for each it stops. */
export type Stage = (candidates: readonly Candidate[], input: PipelineInput) => StageResult;

export function targetKey(candidate: Pick<Candidate, "channel" | "target">): string {
  return `${candidate.channel}:${candidate.target}`;
}

/** A stage that stops, with one reason, every candidate `stops` picks; the rest go on. */
export function stopWhere(stops: (c: Candidate) => Omit<Decision, "candidate"> | null): Stage {
  return (candidates) => {
    const result: StageResult = { pass: [], decided: [] };
    for (const candidate of candidates) {
      const decision = stops(candidate);
      if (decision) result.decided.push({ candidate, ...decision });
      else result.pass.push(candidate);
    }
    return result;
  };
}

/** Runs the stages in order; an empty list ends the run early. */
export function runPipeline(stages: readonly Stage[], candidates: readonly Candidate[], input: PipelineInput): StageResult {
  let pass = [...candidates];
  const decided: Decision[] = [];
  for (const stage of stages) {
    if (pass.length === 0) break;
    const result = stage(pass, input);
    pass = result.pass;
    decided.push(...result.decided);
  }
  return { pass, decided };
}
