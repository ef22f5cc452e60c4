"use client";

import { Badge } from "@tremor/react";
import type { RuleView } from "@/lib/rules/rules";

const SEVERITY = {
  critical: { color: "red", label: "Critical" },
  warning: { color: "amber", label: "Warning" },
  info: { color: "blue", label: "Info" },
} as const satisfies Record<RuleView["severity"], { color: string; label: string }>;

/** The word is in the badge, not only the colour, so it reads in grey-scale and to a screen reader. */
export function SeverityBadge({ severity }: { severity: RuleView["severity"] }) {
  return (
    <Badge color={SEVERITY[severity].color} data-testid="severity">
      {SEVERITY[severity].label}
    </Badge>
  );
}
