import { stopWhere, type Stage } from "../pipeline";

/** A silence that began after the alert fired stops its escalation: someone is working on it. */
export const silenceStage: Stage = (candidates, input) =>
  stopWhere(() => (input.silencedBy ? { state: "silenced", reason: `silenced: ${input.silencedBy}` } : null))(candidates, input);
