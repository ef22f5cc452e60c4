import { targetKey, type Decision, type Stage } from "../pipeline";

/** At most `maxPerHourPerTarget` messages an hour to one address: an alert storm must not drown a phone. */
export const rateLimitStage: Stage = (candidates, input) => {
  const counted = new Map(input.sentLastHour);
  const pass = [];
  const decided: Decision[] = [];
  for (const candidate of candidates) {
    const key = targetKey(candidate);
    const sent = counted.get(key) ?? 0;
    if (sent >= input.maxPerHourPerTarget) {
      decided.push({ candidate, state: "rate_limited", reason: `${sent} messages to ${candidate.target} in the last hour (limit ${input.maxPerHourPerTarget})` });
    } else {
      counted.set(key, sent + 1);
      pass.push(candidate);
    }
  }
  return { pass, decided };
};
