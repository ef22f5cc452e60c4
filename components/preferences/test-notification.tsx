"use client";

import { Badge, Card } from "@tremor/react";
import { useMutation } from "@tanstack/react-query";
import type { Channel } from "@/db/schema";
import { preferencesApi, type TestResult } from "./notifications-api";

export const CHANNEL_NAMES: Record<Channel, string> = { email: "Email", sms: "SMS", slack: "Slack" };

const STATUS = {
  sent: { color: "emerald", label: "Sent" },
  failed: { color: "red", label: "Failed" },
  not_configured: { color: "amber", label: "Not configured" },
  disabled: { color: "slate", label: "Off" },
} as const satisfies Record<TestResult["status"], { color: string; label: string }>;

function TestResultRow({ result }: { result: TestResult }) {
  const status = STATUS[result.status] ?? { color: "slate", label: result.status };
  return (
    <li className="py-2.5" data-testid={`test-result-${result.channel}`} data-status={result.status}>
      <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
        <span className="font-medium">{CHANNEL_NAMES[result.channel] ?? result.channel}</span>
        <Badge color={status.color} data-testid="test-result-status">
          {status.label}
        </Badge>
        <span className="min-w-0 font-mono text-sm break-all text-slate-600 dark:text-slate-400" data-testid="test-result-target">
          {result.target ?? "no address"}
        </span>
      </div>
      {result.providerMessageId && (
        <p className="mt-1 text-xs break-all text-slate-500" data-testid="test-result-provider-id">
          Provider message id: <span className="font-mono">{result.providerMessageId}</span>
        </p>
      )}
      {result.error && (
        <p className={`mt-1 text-sm break-words ${result.status === "failed" ? "text-red-700 dark:text-red-400" : "text-amber-800 dark:text-amber-300"}`} data-testid="test-result-error">
          {result.error}
        </p>
      )}
    </li>
  );
}

/** Sends one test message per channel and says, per channel, what the provider answered. */
export function TestNotification({ unsaved }: { unsaved: boolean }) {
  const test = useMutation({ mutationFn: preferencesApi.sendTest });
  return (
    <Card className="min-w-0 p-4">
      <h2 className="font-semibold">Test notification</h2>
      <p className="mt-1 text-sm text-slate-500">Sends a test message on each channel, to your saved settings, and shows what each provider answered.</p>
      {unsaved && (
        <p className="mt-2 text-sm text-amber-800 dark:text-amber-300" data-testid="prefs-test-unsaved">
          You have unsaved changes: the test goes to what was last saved.
        </p>
      )}
      <button
        type="button"
        onClick={() => test.mutate()}
        disabled={test.isPending}
        className="mt-3 min-h-11 rounded-md border border-slate-300 px-4 font-medium hover:bg-slate-100 disabled:opacity-60 sm:min-h-10 dark:border-slate-700 dark:hover:bg-slate-800"
        data-testid="prefs-send-test"
      >
        {test.isPending ? "Sending…" : "Send a test notification"}
      </button>
      {test.error && (
        <p role="alert" className="mt-3 rounded-md bg-red-50 px-3 py-2 text-sm break-words text-red-700 dark:bg-red-950 dark:text-red-300" data-testid="prefs-test-error">
          Could not send the test: {test.error.message}
        </p>
      )}
      {test.data && (
        <div aria-live="polite">
          {test.data.length === 0 ? (
            <p className="mt-3 text-sm text-slate-500" data-testid="test-results-empty">
              No channel to test.
            </p>
          ) : (
            <ul className="mt-3 divide-y divide-slate-200 dark:divide-slate-800" data-testid="test-results">
              {test.data.map((result) => (
                <TestResultRow key={result.channel} result={result} />
              ))}
            </ul>
          )}
        </div>
      )}
    </Card>
  );
}
