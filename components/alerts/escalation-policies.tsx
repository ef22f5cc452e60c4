"use client";

import { Card } from "@tremor/react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo, useRef, useState } from "react";
import { RowButton } from "@/components/row-button";
import type { EscalationPolicyView } from "@/lib/notify/escalation-policies";
import { escalationPoliciesApi, POLICY_QUERY_KEYS, QUERY_KEYS } from "./alerts-api";
import { EscalationPolicyForm, type PeopleChoices } from "./escalation-policy-form";

type Tier = EscalationPolicyView["tiers"][number];
type Severity = NonNullable<EscalationPolicyView["severity"]>;

interface EditorState {
  policy: EscalationPolicyView | null;
  /** Bumped on every opening, so opening the same policy again starts afresh. */
  opening: number;
}

const PRIMARY = "min-h-11 rounded-md bg-indigo-600 px-4 font-medium text-white hover:bg-indigo-500 sm:min-h-9";
/** RowButton's size with a colour of its own (a class appended to RowButton's would not reliably win). */
const DANGER = "min-h-11 rounded-md border px-4 font-medium disabled:opacity-60 sm:min-h-0 sm:px-2 sm:py-0.5";

const CHANNEL_WORDS: Record<NonNullable<Tier["channels"]>[number], string> = { email: "email", sms: "SMS", slack: "Slack" };
const DEFAULT_BADGE: Record<Severity, string> = {
  critical: "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300",
  warning: "bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-300",
  info: "bg-blue-100 text-blue-800 dark:bg-blue-950 dark:text-blue-300",
};

/** "After 5m: subscribers on SMS". Named people by email when the user list came, else by id. */
function describeTier(tier: Tier, emails: ReadonlyMap<string, string>): string {
  const when = tier.after === "0s" ? "At once" : `After ${tier.after}`;
  const who = tier.userIds === null ? "subscribers" : tier.userIds.map((id) => emails.get(id) ?? id).join(", ");
  const how = tier.channels === null ? "the rule’s channels" : tier.channels.map((channel) => CHANNEL_WORDS[channel]).join(", ");
  return `${when}: ${who} on ${how}`;
}

function describeRepeat(policy: EscalationPolicyView): string {
  if (policy.repeat === 0) return "No repeats";
  return `Repeats ${policy.repeat} ${policy.repeat === 1 ? "time" : "times"} every ${policy.repeatAfter}`;
}

function PolicyCard({
  policy,
  emails,
  canEdit,
  busy,
  onEdit,
  onDelete,
}: {
  policy: EscalationPolicyView;
  emails: ReadonlyMap<string, string>;
  canEdit: boolean;
  busy: boolean;
  onEdit: () => void;
  onDelete: () => void;
}) {
  const [confirming, setConfirming] = useState(false);
  return (
    <li className="min-w-0" data-testid="policy-card" data-policy-id={policy.id} data-policy-name={policy.name}>
      <Card className="h-full min-w-0 p-4">
        {policy.severity && (
          <span className={`inline-block rounded-full px-2 py-0.5 text-xs font-medium ${DEFAULT_BADGE[policy.severity]}`} data-testid="policy-default">
            Default for {policy.severity}
          </span>
        )}
        <h3 className={`font-medium break-words ${policy.severity ? "mt-2" : ""}`}>{policy.name}</h3>
        <ol className="mt-1 space-y-0.5 text-sm text-slate-700 dark:text-slate-300">
          {policy.tiers.map((tier, index) => (
            <li key={index} className="break-words" data-testid="policy-tier-line">
              {describeTier(tier, emails)}
            </li>
          ))}
        </ol>
        <p className="mt-1 text-xs text-slate-500" data-testid="policy-repeat-line">
          {describeRepeat(policy)}
        </p>
        {canEdit && (
          <div className="mt-3 flex min-w-0 flex-wrap items-center gap-2 text-sm">
            {confirming ? (
              <>
                <span className="min-w-0 break-words">Delete {policy.name}? Its rules go back to their severity’s default.</span>
                <button
                  type="button"
                  onClick={onDelete}
                  disabled={busy}
                  aria-label={`Confirm delete policy ${policy.name}`}
                  className={`${DANGER} border-red-600 bg-red-600 text-white hover:bg-red-500`}
                  data-testid="policy-delete-confirm"
                >
                  {busy ? "Deleting…" : "Delete"}
                </button>
                <RowButton onClick={() => setConfirming(false)} data-testid="policy-delete-cancel">
                  Keep
                </RowButton>
              </>
            ) : (
              <>
                <RowButton onClick={onEdit} aria-label={`Edit policy ${policy.name}`} data-testid="policy-edit">
                  Edit
                </RowButton>
                <button
                  type="button"
                  onClick={() => setConfirming(true)}
                  aria-label={`Delete policy ${policy.name}`}
                  className={`${DANGER} border-slate-300 text-red-700 hover:bg-red-50 dark:border-slate-700 dark:text-red-400 dark:hover:bg-red-950`}
                  data-testid="policy-delete"
                >
                  Delete
                </button>
              </>
            )}
          </div>
        )}
      </Card>
    </li>
  );
}

/** Who is paged, and when, until someone acknowledges: the policies as cards, and the form they open. */
export function EscalationPolicies({ policies, canEdit }: { policies: EscalationPolicyView[]; canEdit: boolean }) {
  const queryClient = useQueryClient();
  const formRef = useRef<HTMLDivElement>(null);
  const [editor, setEditor] = useState<EditorState | null>(null);
  const [notice, setNotice] = useState("");
  // Admins only; a viewer (or a failed call) sees the ids a tier names.
  const users = useQuery({ queryKey: POLICY_QUERY_KEYS.users, queryFn: escalationPoliciesApi.users, enabled: canEdit, retry: false });
  const people = useMemo<PeopleChoices>(
    () => ({
      adminIds: (users.data ?? []).filter((user) => user.role === "admin").map((user) => user.id),
      emails: new Map((users.data ?? []).map((user) => [user.id, user.email])),
      loading: users.isPending && canEdit,
      error: users.error,
    }),
    [users.data, users.isPending, users.error, canEdit],
  );
  const remove = useMutation({
    mutationFn: (policy: EscalationPolicyView) => escalationPoliciesApi.remove(policy.id),
    onSuccess: (_, policy) => {
      setNotice(`Deleted ${policy.name}.`);
      if (editor?.policy?.id === policy.id) setEditor(null);
    },
    // Rules that named it now follow their severity's default.
    onSettled: () => Promise.all([queryClient.invalidateQueries({ queryKey: POLICY_QUERY_KEYS.policies }), queryClient.invalidateQueries({ queryKey: QUERY_KEYS.rules })]),
  });

  function open(policy: EscalationPolicyView | null) {
    setNotice("");
    remove.reset();
    setEditor((old) => ({ policy, opening: (old?.opening ?? 0) + 1 }));
    // After the render that puts the form on the page.
    requestAnimationFrame(() => formRef.current?.scrollIntoView({ behavior: "smooth", block: "start" }));
  }

  return (
    <section aria-labelledby="policies-heading" className="min-w-0 space-y-4" data-testid="escalation-policies">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="policies-heading" className="text-lg font-semibold">
          Escalation policies
        </h2>
        {canEdit && (
          <button type="button" onClick={() => open(null)} className={PRIMARY} data-testid="policy-add">
            New policy
          </button>
        )}
      </div>
      <p className="text-sm text-slate-500">Who is paged, and when, until someone acknowledges. Subscribers are the admins whose preferences take the alert’s severity.</p>
      {notice && (
        <p role="status" className="rounded-md bg-emerald-50 px-3 py-2 text-sm break-words text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300" data-testid="policies-notice">
          {notice}
        </p>
      )}
      {remove.error && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm break-words text-red-700 dark:bg-red-950 dark:text-red-300" data-testid="policy-action-error">
          Could not delete the policy: {remove.error.message}
        </p>
      )}
      <div ref={formRef} className="scroll-mt-4">
        {editor && (
          <EscalationPolicyForm
            key={editor.opening}
            policy={editor.policy}
            people={people}
            onSaved={(policy, created) => {
              setNotice(created ? `Created ${policy.name}.` : `Saved ${policy.name}.`);
              setEditor(null);
            }}
            onCancel={() => setEditor(null)}
          />
        )}
      </div>
      {policies.length === 0 ? (
        <p className="text-sm text-slate-500" data-testid="policies-empty">
          No policies: every alert pages its subscribers once.
        </p>
      ) : (
        <ul className="grid min-w-0 gap-4 sm:grid-cols-2 xl:grid-cols-3" data-testid="policies">
          {policies.map((policy) => (
            <PolicyCard
              key={policy.id}
              policy={policy}
              emails={people.emails}
              canEdit={canEdit}
              busy={remove.isPending && remove.variables?.id === policy.id}
              onEdit={() => open(policy)}
              onDelete={() => remove.mutate(policy)}
            />
          ))}
        </ul>
      )}
    </section>
  );
}
