import { stopWhere, type Stage } from "../pipeline";

/** While a rule this alert depends on fires, that alert's pages speak for this one. */
export const inhibitStage: Stage = (candidates, input) =>
  stopWhere(() => (input.inhibitedBy ? { state: "inhibited", reason: `inhibited: ${input.inhibitedBy} is firing` } : null))(candidates, input);
