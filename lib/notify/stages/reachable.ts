import type { Channel } from "@/db/schema";
import { stopWhere, type Stage } from "../pipeline";

const NO_CONTACT: Record<Channel, string> = {
  email: "no email address in their preferences",
  sms: "no phone number in their preferences",
  slack: "no Slack channel in their preferences",
};

/** A channel this server cannot send on, or a recipient with no address on it, is recorded, not dropped. */
export const reachableStage: Stage = (candidates, input) =>
  stopWhere((c) => {
    if (!input.configured[c.channel]) return { state: "not_configured", reason: `${c.channel} is not configured on this server` };
    if (!c.target) return { state: "not_configured", reason: NO_CONTACT[c.channel] };
    return null;
  })(candidates, input);
