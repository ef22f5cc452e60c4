import type { Comparison, DeliveryKind, Severity } from "@/db/schema";
import type { OutgoingMessage } from "./channels/sender";

/** What every message about an alert states, whatever the channel. */
export interface AlertFacts {
  alertId: string;
  ruleName: string;
  severity: Severity;
  metric: string;
  service: string | null;
  value: number | null;
  comparison: Comparison;
  threshold: number;
  reason: string;
  /** For a resolution notice. */
  resolvedAt: Date | null;
  acknowledged: boolean;
}

const SMS_SEGMENT = 160;

function shown(value: number | null): string {
  if (value === null) return "no data";
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

function alertUrl(publicUrl: string, alertId: string, acknowledge = false): string {
  return `${publicUrl.replace(/\/$/, "")}/alerts/${alertId}${acknowledge ? "?ack=1" : ""}`;
}

/**
 * Cuts `text` to `max` characters: an SMS beyond one segment costs double and arrives split.
 * Three dots, not "…", which is outside GSM-7 and would make the whole SMS 70-character UCS-2.
 */
function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}

/** An alert's page, escalation or resolution, in the same words on every channel. */
export function composeAlertMessage(facts: AlertFacts, kind: Exclude<DeliveryKind, "digest">, key: string, publicUrl: string): OutgoingMessage {
  const level = facts.severity.toUpperCase();
  const resolved = kind === "resolved";
  const subject = resolved ? `[RESOLVED] ${facts.ruleName}` : `[${level}] ${facts.ruleName}${kind === "escalation" ? " (still unacknowledged)" : ""}`;
  const url = alertUrl(publicUrl, facts.alertId);
  const acknowledgeUrl = resolved || facts.acknowledged ? null : alertUrl(publicUrl, facts.alertId, true);
  const status = resolved ? `Resolved at ${facts.resolvedAt?.toISOString() ?? "now"}.` : `Value ${shown(facts.value)}, threshold ${facts.comparison} ${facts.threshold}.`;
  const text = [status, facts.reason, facts.service ? `Service: ${facts.service}` : null, `Details: ${url}`].filter(Boolean).join("\n");
  // The link goes last and whole; the words before it give way.
  const link = acknowledgeUrl ?? url;
  const head = resolved ? `RESOLVED: ${facts.ruleName}` : `${level}: ${facts.ruleName} - ${shown(facts.value)} (${facts.comparison} ${facts.threshold})`;
  const short = `${clip(head, Math.max(20, SMS_SEGMENT - link.length - 1))} ${link}`;
  return {
    key,
    kind,
    severity: facts.severity,
    subject,
    text,
    short,
    facts: [
      { label: "Severity", value: facts.severity },
      { label: resolved ? "Last value" : "Value", value: shown(facts.value) },
      { label: "Threshold", value: `${facts.comparison} ${facts.threshold}` },
      { label: "Service", value: facts.service ?? "all" },
    ],
    url,
    acknowledgeUrl,
  };
}

/** One line per alert held by quiet hours, with where each stands now. */
export interface DigestLine {
  ruleName: string;
  severity: Severity;
  firedAt: Date;
  /** null: still open. */
  resolvedAt: Date | null;
}

export function composeDigest(lines: readonly DigestLine[], key: string, publicUrl: string): OutgoingMessage {
  const open = lines.filter((l) => !l.resolvedAt).length;
  const subject = `Vigil: ${lines.length} alert${lines.length === 1 ? "" : "s"} during your quiet hours, ${open} still open`;
  const text = lines
    .map((l) => `${l.severity.toUpperCase()} ${l.ruleName}: fired ${l.firedAt.toISOString()}, ${l.resolvedAt ? `resolved ${l.resolvedAt.toISOString()}` : "still open"}`)
    .join("\n");
  const url = `${publicUrl.replace(/\/$/, "")}/alerts`;
  return {
    key,
    kind: "digest",
    severity: null,
    subject,
    text,
    short: `${clip(subject, SMS_SEGMENT - url.length - 1)} ${url}`,
    facts: [
      { label: "Alerts", value: String(lines.length) },
      { label: "Still open", value: String(open) },
    ],
    url,
    acknowledgeUrl: null,
  };
}

export function composeTestMessage(key: string, publicUrl: string, recipientEmail: string): OutgoingMessage {
  const subject = "Vigil test notification";
  return {
    key,
    kind: "test",
    severity: null,
    subject,
    text: `This is a test from Vigil, sent to ${recipientEmail} from the preferences page. Nothing is wrong.`,
    short: `Vigil test notification for ${clip(recipientEmail, 60)}. Nothing is wrong.`,
    facts: [{ label: "Sent to", value: recipientEmail }],
    url: `${publicUrl.replace(/\/$/, "")}/preferences`,
    acknowledgeUrl: null,
  };
}
