"use client";

import { Card } from "@tremor/react";
import { useState } from "react";
import { RowButton } from "@/components/row-button";
import type { RuleView } from "@/lib/rules/rules";
import { describeRule } from "./describe-rule";
import { SeverityBadge } from "./severity-badge";

/** RowButton's size with a colour of its own (a class appended to RowButton's would not reliably win). */
const DANGER = "min-h-11 rounded-md border px-4 font-medium disabled:opacity-60 sm:min-h-0 sm:px-2 sm:py-0.5";

const CHANNEL_WORDS: Record<RuleView["channels"][number], string> = { email: "Email", sms: "SMS", slack: "Slack" };

/** One rule: what it watches in one line, and (for admins) what can be done to it. */
export function RuleCard({
  rule,
  ruleNames,
  canEdit,
  busy,
  onEdit,
  onTest,
  onToggle,
  onDelete,
}: {
  rule: RuleView;
  /** Id to name, to say which rules it depends on. */
  ruleNames: ReadonlyMap<string, string>;
  canEdit: boolean;
  /** A change to this rule is on its way: its buttons wait. */
  busy: boolean;
  onEdit: () => void;
  onTest: () => void;
  onToggle: () => void;
  onDelete: () => void;
}) {
  const [confirming, setConfirming] = useState(false);
  const channels = rule.channels.map((channel) => CHANNEL_WORDS[channel]).join(", ");
  return (
    <li className="min-w-0" data-testid="rule-card" data-rule-id={rule.id} data-rule-name={rule.name} data-kind={rule.kind} data-active={String(rule.isActive)}>
      <Card className={`h-full min-w-0 p-4 ${rule.isActive ? "" : "opacity-75"}`}>
        <div className="flex flex-wrap items-center gap-2">
          <SeverityBadge severity={rule.severity} />
          {rule.kind === "anomaly" && (
            <span className="rounded-full bg-violet-100 px-2 py-0.5 text-xs text-violet-800 dark:bg-violet-950 dark:text-violet-300" data-testid="rule-kind">
              Anomaly
            </span>
          )}
          {!rule.isActive && (
            <span className="rounded-full bg-slate-200 px-2 py-0.5 text-xs text-slate-700 dark:bg-slate-800 dark:text-slate-300" data-testid="rule-disabled">
              Disabled
            </span>
          )}
        </div>
        <h3 className="mt-2 font-medium break-words" data-testid="rule-name">
          {rule.name}
        </h3>
        <p className="mt-1 font-mono text-sm break-all text-slate-700 dark:text-slate-300" data-testid="rule-description">
          {describeRule(rule)}
        </p>
        <dl className="mt-2 space-y-0.5 text-xs text-slate-500">
          {rule.service && (
            <div>
              <dt className="inline">Service: </dt>
              <dd className="inline break-all">{rule.service}</dd>
            </div>
          )}
          <div>
            <dt className="inline">Notifies: </dt>
            <dd className="inline" data-testid="rule-channels">
              {channels || "no channel (dashboard only)"}
            </dd>
          </div>
          {rule.dependsOn.length > 0 && (
            <div>
              <dt className="inline">Held while firing: </dt>
              <dd className="inline break-words">{rule.dependsOn.map((id) => ruleNames.get(id) ?? "a deleted rule").join(", ")}</dd>
            </div>
          )}
        </dl>
        {rule.runbookUrl && (
          <a href={rule.runbookUrl} target="_blank" rel="noreferrer" className="mt-1 inline-block text-sm text-indigo-700 underline dark:text-indigo-400">
            Runbook
          </a>
        )}
        <div className="mt-3 flex min-w-0 flex-wrap items-center gap-2 text-sm">
          {confirming ? (
            <>
              <span className="min-w-0 break-words">Delete {rule.name}?</span>
              <button
                type="button"
                onClick={onDelete}
                disabled={busy}
                aria-label={`Confirm delete ${rule.name}`}
                className={`${DANGER} border-red-600 bg-red-600 text-white hover:bg-red-500`}
                data-testid="rule-delete-confirm"
              >
                {busy ? "Deleting…" : "Delete"}
              </button>
              <RowButton onClick={() => setConfirming(false)} data-testid="rule-delete-cancel">
                Keep
              </RowButton>
            </>
          ) : (
            <>
              {canEdit && (
                <RowButton onClick={onEdit} aria-label={`Edit ${rule.name}`} data-testid="rule-edit">
                  Edit
                </RowButton>
              )}
              {canEdit && (
                <RowButton onClick={onToggle} disabled={busy} aria-label={`${rule.isActive ? "Disable" : "Enable"} ${rule.name}`} data-testid="rule-toggle">
                  {rule.isActive ? "Disable" : "Enable"}
                </RowButton>
              )}
              {/* An anomaly rule has no backtest: the detector judges each minute once, as it arrives. */}
              {rule.kind === "threshold" && (
                <RowButton onClick={onTest} aria-label={`Test ${rule.name}`} data-testid="rule-test">
                  Test
                </RowButton>
              )}
              {canEdit && (
                <button
                  type="button"
                  onClick={() => setConfirming(true)}
                  aria-label={`Delete ${rule.name}`}
                  className={`${DANGER} border-slate-300 text-red-700 hover:bg-red-50 dark:border-slate-700 dark:text-red-400 dark:hover:bg-red-950`}
                  data-testid="rule-delete"
                >
                  Delete
                </button>
              )}
            </>
          )}
        </div>
      </Card>
    </li>
  );
}
