"use client";

import { Card } from "@tremor/react";
import { useState } from "react";
import { relativeTime } from "@/components/dashboard/alert-list";
import type { CheckView } from "./health-checks-api";

type Shown = NonNullable<CheckView["lastState"]> | "pending";

/** Colour and words together: the state must read without colour too. */
const STATE: Record<Shown, { dot: string; text: string; label: string }> = {
  healthy: { dot: "bg-emerald-500", text: "text-emerald-700 dark:text-emerald-400", label: "Healthy" },
  warning: { dot: "bg-amber-500", text: "text-amber-700 dark:text-amber-400", label: "Warning" },
  down: { dot: "bg-red-500", text: "text-red-700 dark:text-red-400", label: "Down" },
  pending: { dot: "bg-slate-400", text: "text-slate-600 dark:text-slate-400", label: "Not checked yet" },
};

const BUTTON = "rounded-md border px-3 py-1 text-sm disabled:opacity-60";

function CheckRow({
  check,
  now,
  canEdit,
  deleting,
  onEdit,
  onDelete,
}: {
  check: CheckView;
  now: number;
  canEdit: boolean;
  deleting: boolean;
  onEdit: () => void;
  onDelete: () => void;
}) {
  const [confirming, setConfirming] = useState(false);
  const shown: Shown = check.lastState ?? "pending";
  const style = STATE[shown];
  return (
    <li className="py-3" data-testid="check-row" data-check-id={check.id} data-check-name={check.name} data-state={shown}>
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0 flex-1 basis-60">
          <div className="flex flex-wrap items-center gap-2">
            <span className={`inline-block h-2.5 w-2.5 shrink-0 rounded-full ${style.dot}`} aria-hidden />
            <span className="font-medium" data-testid="check-row-name">
              {check.name}
            </span>
            <span className={`text-sm font-medium ${style.text}`} data-testid="check-row-state">
              {style.label}
            </span>
            {!check.enabled && <span className="rounded-full bg-slate-200 px-2 py-0.5 text-xs text-slate-700 dark:bg-slate-800 dark:text-slate-300">Paused</span>}
          </div>
          <p className="mt-1 text-sm break-all text-slate-500" data-testid="check-row-url">
            {check.method} {check.url}
          </p>
          {check.lastReason && (
            <p className="mt-1 text-sm" data-testid="check-row-reason">
              {check.lastReason}
            </p>
          )}
          <p className="mt-1 text-xs text-slate-500">
            <span data-testid="check-row-latency">{check.lastLatencyMs === null ? "No latency yet" : `${Math.round(check.lastLatencyMs)} ms`}</span>
            {" · "}
            <span data-testid="check-row-checked">{check.lastCheckedAt ? `checked ${relativeTime(check.lastCheckedAt, now)}` : "never checked"}</span>
            {` · every ${check.intervalSeconds} s`}
          </p>
        </div>
        {canEdit && (
          // Not shrink-0: with a long name the confirmation must wrap inside the card on a phone,
          // not push its buttons past the screen's edge.
          <div className="flex min-w-0 flex-wrap items-center gap-2">
            {confirming ? (
              <>
                <span className="text-sm break-words">Delete {check.name}?</span>
                <button
                  type="button"
                  onClick={onDelete}
                  disabled={deleting}
                  className={`${BUTTON} border-red-600 bg-red-600 text-white hover:bg-red-500`}
                  data-testid="check-delete-confirm"
                >
                  {deleting ? "Deleting…" : "Delete"}
                </button>
                <button
                  type="button"
                  onClick={() => setConfirming(false)}
                  className={`${BUTTON} border-slate-300 hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800`}
                  data-testid="check-delete-cancel"
                >
                  Keep
                </button>
              </>
            ) : (
              <>
                <button
                  type="button"
                  onClick={onEdit}
                  className={`${BUTTON} border-slate-300 hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800`}
                  data-testid="check-edit"
                >
                  Edit
                </button>
                <button
                  type="button"
                  onClick={() => setConfirming(true)}
                  className={`${BUTTON} border-slate-300 text-red-700 hover:bg-red-50 dark:border-slate-700 dark:text-red-400 dark:hover:bg-red-950`}
                  data-testid="check-delete"
                >
                  Delete
                </button>
              </>
            )}
          </div>
        )}
      </div>
    </li>
  );
}

export function CheckList({
  checks,
  now,
  canEdit,
  deletingId,
  onEdit,
  onDelete,
}: {
  checks: CheckView[];
  now: number;
  canEdit: boolean;
  deletingId: string | null;
  onEdit: (check: CheckView) => void;
  onDelete: (check: CheckView) => void;
}) {
  return (
    <Card className="p-4">
      <h2 className="mb-3 font-semibold">Checks</h2>
      {checks.length === 0 ? (
        <p className="text-sm text-slate-500" data-testid="check-list-empty">
          No health checks yet.
        </p>
      ) : (
        <ul className="divide-y divide-slate-200 dark:divide-slate-800" data-testid="check-list">
          {checks.map((check) => (
            <CheckRow
              key={check.id}
              check={check}
              now={now}
              canEdit={canEdit}
              deleting={deletingId === check.id}
              onEdit={() => onEdit(check)}
              onDelete={() => onDelete(check)}
            />
          ))}
        </ul>
      )}
    </Card>
  );
}
