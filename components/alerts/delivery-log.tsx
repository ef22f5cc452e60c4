"use client";

import { Badge } from "@tremor/react";
import type { DeliveryState } from "@/db/schema";
import type { DeliveryView } from "@/lib/notify/deliveries";

const CLOCK = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
const DAY_CLOCK = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" });

/** To the second (a delivery log is read step by step); with the date when it is not today's. */
export function formatStamp(iso: string, now: number): string {
  const ms = Date.parse(iso);
  return Math.abs(now - ms) <= 86_400_000 ? CLOCK.format(ms) : DAY_CLOCK.format(ms);
}

/** Colour and word together. Green: it went; red: it did not; amber: waiting on quiet hours; blue: on its way; grey: decided not to send. */
const STATE = {
  planned: { color: "blue", label: "Planned" },
  sending: { color: "blue", label: "Sending" },
  retrying: { color: "blue", label: "Retrying" },
  sent: { color: "emerald", label: "Sent" },
  failed: { color: "red", label: "Failed" },
  held: { color: "amber", label: "Held" },
  digested: { color: "slate", label: "In digest" },
  rate_limited: { color: "slate", label: "Rate limited" },
  deduplicated: { color: "slate", label: "Duplicate" },
  not_configured: { color: "slate", label: "Not configured" },
  silenced: { color: "slate", label: "Silenced" },
  inhibited: { color: "slate", label: "Inhibited" },
} as const satisfies Record<DeliveryState, { color: string; label: string }>;

const CHANNELS: Record<DeliveryView["channel"], string> = { email: "Email", sms: "SMS", slack: "Slack" };
const KINDS: Record<DeliveryView["kind"], string> = { fired: "Fired", escalation: "Escalation", resolved: "Resolved", digest: "Digest" };

/** States the pipeline still moves on by itself: worth watching for. */
export const IN_FLIGHT: readonly DeliveryState[] = ["planned", "sending", "retrying"];

function kindLabel(delivery: DeliveryView): string {
  const kind = KINDS[delivery.kind] ?? delivery.kind;
  return delivery.kind === "escalation" ? `${kind} · tier ${delivery.tier}, round ${delivery.round}` : kind;
}

/** The column's name, on a phone's card only (the table's head says it on wider screens). */
function CardLabel({ children }: { children: React.ReactNode }) {
  return <span className="mr-1 text-slate-500 lg:hidden">{children}</span>;
}

/** A phone's card is a wrapping row: short cells side by side, `FULL` ones on a line of their own. */
const CELL = "min-w-0 lg:table-cell lg:py-2 lg:pr-3 lg:align-top";
const FULL = `${CELL} basis-full`;
/** An empty cell: nothing on a phone's card, a dash in the table. */
const EMPTY = <span className="text-slate-400">—</span>;

function DeliveryRow({ delivery, now }: { delivery: DeliveryView; now: number }) {
  const state = STATE[delivery.state] ?? { color: "slate", label: delivery.state };
  return (
    <tr
      className="mb-3 flex flex-wrap items-center gap-x-3 gap-y-1 rounded-md border border-slate-200 p-3 last:mb-0 lg:mb-0 lg:table-row lg:rounded-none lg:border-0 lg:border-t lg:p-0 dark:border-slate-800"
      data-testid="delivery-row"
      data-delivery-id={delivery.id}
      data-state={delivery.state}
      data-channel={delivery.channel}
      data-kind={delivery.kind}
    >
      <td className={CELL}>
        <Badge color={state.color} data-testid="delivery-state">
          {state.label}
        </Badge>
      </td>
      <td className={`${CELL} font-medium`} data-testid="delivery-kind">
        {kindLabel(delivery)}
      </td>
      <td className={`${FULL} break-words`} data-testid="delivery-who">
        <CardLabel>To</CardLabel>
        {delivery.recipient?.email ?? "team channel"}
      </td>
      <td className={FULL}>
        <CardLabel>Via</CardLabel>
        <span data-testid="delivery-channel">{CHANNELS[delivery.channel] ?? delivery.channel}</span>
        <span className="text-slate-400"> · </span>
        <span className="font-mono text-xs break-all" data-testid="delivery-target">
          {delivery.target}
        </span>
      </td>
      <td className={`${FULL} break-words ${delivery.reason ? "" : "hidden"}`} data-testid="delivery-reason">
        {delivery.reason ? (
          <>
            <CardLabel>Why</CardLabel>
            {delivery.reason}
          </>
        ) : (
          EMPTY
        )}
      </td>
      <td className={`${CELL} tabular-nums`} data-testid="delivery-attempts">
        <CardLabel>Attempts</CardLabel>
        {delivery.attempts}
      </td>
      <td className={`${CELL} font-mono text-xs break-all ${delivery.providerMessageId ? "" : "hidden"}`} data-testid="delivery-provider-id">
        {delivery.providerMessageId ? (
          <>
            <CardLabel>Provider id</CardLabel>
            {delivery.providerMessageId}
          </>
        ) : (
          EMPTY
        )}
      </td>
      <td className={`${FULL} text-xs text-slate-600 lg:pr-0 dark:text-slate-400`} data-testid="delivery-times">
        <span className="mr-3 inline-block whitespace-nowrap lg:mr-0 lg:block">planned {formatStamp(delivery.createdAt, now)}</span>
        {delivery.sentAt && <span className="mr-3 inline-block whitespace-nowrap lg:mr-0 lg:block">sent {formatStamp(delivery.sentAt, now)}</span>}
        {delivery.dueAt && <span className="inline-block whitespace-nowrap lg:block">due {formatStamp(delivery.dueAt, now)}</span>}
      </td>
    </tr>
  );
}

/**
 * Every message planned for the alert, whether it went or why not. One row per delivery: a
 * table on wide screens, the same rows laid out as cards on a phone.
 */
export function DeliveryLog({ deliveries, now }: { deliveries: readonly DeliveryView[]; now: number }) {
  return (
    <div data-testid="delivery-log" data-count={deliveries.length}>
      {deliveries.length === 0 ? (
        <p className="text-sm text-slate-500" data-testid="delivery-log-empty">
          No message was planned for this alert yet.
        </p>
      ) : (
        <DeliveryTable deliveries={deliveries} now={now} />
      )}
    </div>
  );
}

function DeliveryTable({ deliveries, now }: { deliveries: readonly DeliveryView[]; now: number }) {
  return (
    <table className="block w-full text-sm lg:table">
      <thead className="hidden text-left text-slate-500 lg:table-header-group">
        <tr>
          <th className="py-1 pr-3 font-medium">State</th>
          <th className="py-1 pr-3 font-medium">Kind</th>
          <th className="py-1 pr-3 font-medium">Who</th>
          <th className="py-1 pr-3 font-medium">Channel · target</th>
          <th className="py-1 pr-3 font-medium">Reason</th>
          <th className="py-1 pr-3 font-medium">Attempts</th>
          <th className="py-1 pr-3 font-medium">Provider id</th>
          <th className="py-1 font-medium">Times</th>
        </tr>
      </thead>
      <tbody className="block lg:table-row-group">
        {deliveries.map((delivery) => (
          <DeliveryRow key={delivery.id} delivery={delivery} now={now} />
        ))}
      </tbody>
    </table>
  );
}
