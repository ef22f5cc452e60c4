"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { useNow } from "@/components/dashboard/use-live-dashboard";
import { CheckForm } from "./check-form";
import { CheckList } from "./check-list";
import { healthChecksApi, type CheckView } from "./health-checks-api";

const QUERY_KEY = ["health-checks"] as const;
/** Checks run every 5 s at the most; a check not run yet gets its first result within a second or two. */
const REFRESH_MS = 5000;
const REFRESH_PENDING_MS = 1000;

/** The checks page: every check with its state, and (for admins) the form that adds or edits one. */
export function HealthChecks({ canEdit }: { canEdit: boolean }) {
  const queryClient = useQueryClient();
  const now = useNow();
  const formRef = useRef<HTMLDivElement>(null);
  const [editing, setEditing] = useState<CheckView | null>(null);
  const [notice, setNotice] = useState("");
  const checks = useQuery({
    queryKey: QUERY_KEY,
    queryFn: healthChecksApi.list,
    refetchInterval: (query) => (query.state.data?.some((c) => c.enabled && c.lastState === null) ? REFRESH_PENDING_MS : REFRESH_MS),
  });
  const remove = useMutation({
    mutationFn: (check: CheckView) => healthChecksApi.remove(check.id),
    onSuccess: async (_, check) => {
      setNotice(`Deleted ${check.name}.`);
      if (editing?.id === check.id) setEditing(null);
      await queryClient.invalidateQueries({ queryKey: QUERY_KEY });
    },
  });

  function edit(check: CheckView) {
    setNotice("");
    setEditing(check);
    formRef.current?.scrollIntoView({ behavior: "smooth", block: "start" });
  }

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-xl font-semibold">Health checks</h1>
        <p className="text-sm text-slate-500">HTTP endpoints Vigil requests on a schedule. Their state shows on the dashboard and drives alert rules.</p>
      </div>
      {notice && (
        <p role="status" className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300" data-testid="checks-notice">
          {notice}
        </p>
      )}
      {remove.error && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700 dark:bg-red-950 dark:text-red-300" data-testid="delete-error">
          Could not delete: {remove.error.message}
        </p>
      )}
      <div className="grid items-start gap-6 lg:grid-cols-[3fr_2fr]">
        {checks.data ? (
          <CheckList
            checks={checks.data}
            now={now}
            canEdit={canEdit}
            deletingId={remove.isPending ? (remove.variables?.id ?? null) : null}
            onEdit={edit}
            onDelete={(check) => remove.mutate(check)}
          />
        ) : (
          <p className="text-slate-500">{checks.error ? `Could not load the checks: ${checks.error.message}` : "Loading…"}</p>
        )}
        <div ref={formRef} className="scroll-mt-4">
          <CheckForm
            key={editing?.id ?? "new"}
            editing={editing}
            canEdit={canEdit}
            onSaved={(check) => {
              setNotice(editing ? `Saved ${check.name}.` : `Added ${check.name}. Its first result arrives within a few seconds.`);
              setEditing(null);
            }}
            onCancel={() => setEditing(null)}
          />
        </div>
      </div>
    </div>
  );
}
