import type { Stage } from "../pipeline";
import { dedupStage } from "./dedup";
import { inhibitStage } from "./inhibit";
import { quietHoursStage } from "./quiet-hours";
import { rateLimitStage } from "./rate-limit";
import { reachableStage } from "./reachable";
import { silenceStage } from "./silence";

/** The order matters: a silenced alert is not "rate limited", and a held message does not count toward a limit. */
export const DELIVERY_STAGES: readonly Stage[] = [silenceStage, inhibitStage, reachableStage, quietHoursStage, dedupStage, rateLimitStage];
