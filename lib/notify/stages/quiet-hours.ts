import { stopWhere, type Stage } from "../pipeline";
import { isInQuietHours, quietHoursEnd } from "../quiet-hours";

/** Held until the recipient's quiet hours end, then sent in one digest; a critical breaks through if they said so. */
export const quietHoursStage: Stage = (candidates, input) =>
  stopWhere((c) => {
    if (!c.quietHours || !isInQuietHours(c.quietHours, input.now)) return null;
    if (input.severity === "critical" && c.breaksQuietHours) return null;
    const dueAt = quietHoursEnd(c.quietHours, input.now);
    return { state: "held", reason: `quiet hours until ${c.quietHours.end} ${c.quietHours.timeZone}`, dueAt };
  })(candidates, input);
