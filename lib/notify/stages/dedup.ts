import { targetKey, type Decision, type Stage } from "../pipeline";

/** Two routes to one place (two admins on the same Slack channel) make one message. */
export const dedupStage: Stage = (candidates) => {
  const seen = new Set<string>();
  const pass = [];
  const decided: Decision[] = [];
  for (const candidate of candidates) {
    const key = targetKey(candidate);
    if (seen.has(key)) decided.push({ candidate, state: "deduplicated", reason: `already sent to ${candidate.target} in this round` });
    else {
      seen.add(key);
      pass.push(candidate);
    }
  }
  return { pass, decided };
};
