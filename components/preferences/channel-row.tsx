"use client";

import type { Channel } from "@/db/schema";
import type { ChannelStatus } from "./notifications-api";
import { Checkbox, PrefsField } from "./prefs-field";

/** The server's words start "not configured: …"; the note says that already. */
const withoutPrefix = (detail: string) => detail.replace(/^not configured\s*[:,-]?\s*/i, "");

const sentence = (text: string) => (/[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`);

/** Whether the server can send on the channel. Always shown: an admin must not believe an unconfigured channel works. */
export function ChannelStatusNote({ channel, status, enabled }: { channel: Channel; status: ChannelStatus | undefined; enabled: boolean }) {
  if (!status) {
    return (
      <p className="mt-2 text-sm text-slate-500" data-testid={`channel-status-${channel}`} data-configured="unknown">
        This server did not say whether it can send on this channel.
      </p>
    );
  }
  if (status.configured) {
    return (
      <p className="mt-2 flex min-w-0 items-start gap-2 text-sm text-slate-600 dark:text-slate-400" data-testid={`channel-status-${channel}`} data-configured="true">
        <span className="mt-1.5 inline-block h-2 w-2 shrink-0 rounded-full bg-emerald-500" aria-hidden />
        <span className="min-w-0 break-words">Configured on this server: {status.detail}</span>
      </p>
    );
  }
  return (
    <p
      className="mt-2 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm break-words text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200"
      data-testid={`channel-status-${channel}`}
      data-configured="false"
    >
      <span className="font-semibold">Not configured on this server:</span> {sentence(withoutPrefix(status.detail) || status.detail)}
      {enabled && " Nothing is sent on this channel until it is."}
    </p>
  );
}

/** One channel: on or off, where it reaches you, and whether the server can send on it. */
export function ChannelRow({
  channel,
  name,
  enabled,
  onEnabledChange,
  enabledTestId,
  contact,
  status,
}: {
  channel: Channel;
  name: string;
  enabled: boolean;
  onEnabledChange: (enabled: boolean) => void;
  enabledTestId: string;
  contact: {
    label: string;
    field: string;
    testId: string;
    value: string;
    onChange: (value: string) => void;
    placeholder: string;
    hint?: string;
    error?: string;
    type: "email" | "tel" | "text";
  };
  status: ChannelStatus | undefined;
}) {
  return (
    <div className="grid min-w-0 gap-x-4 gap-y-1 py-3 sm:grid-cols-[8rem_minmax(0,1fr)]" data-testid={`prefs-channel-${channel}`}>
      <Checkbox label={<span className="font-medium">{name}</span>} checked={enabled} onChange={onEnabledChange} testId={enabledTestId} className="self-start sm:mt-6" />
      <div className="min-w-0">
        <PrefsField label={contact.label} field={contact.field} hint={contact.hint} error={contact.error}>
          {(props) => (
            <input
              {...props}
              type={contact.type}
              name={contact.field}
              value={contact.value}
              onChange={(event) => contact.onChange(event.target.value)}
              placeholder={contact.placeholder}
              autoComplete={contact.type === "email" ? "email" : contact.type === "tel" ? "tel" : "off"}
              inputMode={contact.type === "tel" ? "tel" : contact.type === "email" ? "email" : undefined}
              autoCapitalize="none"
              spellCheck={false}
              data-testid={contact.testId}
            />
          )}
        </PrefsField>
        <ChannelStatusNote channel={channel} status={status} enabled={enabled} />
      </div>
    </div>
  );
}
