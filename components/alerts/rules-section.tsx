"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import type { RuleView } from "@/lib/rules/rules";
import { QUERY_KEYS, rulesApi } from "./alerts-api";
import { RuleCard } from "./rule-card";
import { RuleEditor } from "./rule-editor";

interface EditorState {
  rule: RuleView | null;
  autoTest: boolean;
  /** Bumped on every opening, so opening the same rule again starts afresh. */
  opening: number;
}

const PRIMARY = "min-h-11 rounded-md bg-indigo-600 px-4 font-medium text-white hover:bg-indigo-500 sm:min-h-9";

/** The rule cards, the New rule button, and the editor they open. */
export function RulesSection({ rules, ruleNames, canEdit }: { rules: RuleView[]; ruleNames: ReadonlyMap<string, string>; canEdit: boolean }) {
  const queryClient = useQueryClient();
  const editorRef = useRef<HTMLDivElement>(null);
  const [editor, setEditor] = useState<EditorState | null>(null);
  const [notice, setNotice] = useState("");
  // A disabled or deleted rule takes its open alert with it.
  const refresh = () => Promise.all([queryClient.invalidateQueries({ queryKey: QUERY_KEYS.rules }), queryClient.invalidateQueries({ queryKey: QUERY_KEYS.activeAlerts })]);
  const toggle = useMutation({
    mutationFn: (rule: RuleView) => rulesApi.update(rule.id, { isActive: !rule.isActive }),
    onSuccess: (rule) => setNotice(`${rule.isActive ? "Enabled" : "Disabled"} ${rule.name}.`),
    onSettled: refresh,
  });
  const remove = useMutation({
    mutationFn: (rule: RuleView) => rulesApi.remove(rule.id),
    onSuccess: (_, rule) => {
      setNotice(`Deleted ${rule.name}.`);
      if (editor?.rule?.id === rule.id) setEditor(null);
    },
    onSettled: refresh,
  });
  const busyId = toggle.isPending ? toggle.variables?.id : remove.isPending ? remove.variables?.id : undefined;
  const actionError = toggle.error ?? remove.error;

  function open(rule: RuleView | null, autoTest = false) {
    setNotice("");
    toggle.reset();
    remove.reset();
    setEditor((old) => ({ rule, autoTest, opening: (old?.opening ?? 0) + 1 }));
    // After the render that puts the editor on the page.
    requestAnimationFrame(() => editorRef.current?.scrollIntoView({ behavior: "smooth", block: "start" }));
  }

  return (
    <section aria-labelledby="rules-heading" className="min-w-0 space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="rules-heading" className="text-lg font-semibold">
          Rules
        </h2>
        {canEdit && (
          <button type="button" onClick={() => open(null)} className={PRIMARY} data-testid="rule-new">
            New rule
          </button>
        )}
      </div>
      {notice && (
        <p role="status" className="rounded-md bg-emerald-50 px-3 py-2 text-sm break-words text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300" data-testid="rules-notice">
          {notice}
        </p>
      )}
      {actionError && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm break-words text-red-700 dark:bg-red-950 dark:text-red-300" data-testid="rule-action-error">
          {actionError.message}
        </p>
      )}
      <div ref={editorRef} className="scroll-mt-4">
        {editor && (
          <RuleEditor
            key={editor.opening}
            rule={editor.rule}
            rules={rules}
            canEdit={canEdit}
            autoTest={editor.autoTest}
            onSaved={(rule, created) => {
              setNotice(created ? `Created ${rule.name}.` : `Saved ${rule.name}.`);
              setEditor(null);
            }}
            onCancel={() => setEditor(null)}
          />
        )}
      </div>
      {rules.length === 0 ? (
        <p className="text-sm text-slate-500" data-testid="rules-empty">
          No rules yet.{canEdit ? " Add one with New rule." : ""}
        </p>
      ) : (
        <ul className="grid min-w-0 gap-4 sm:grid-cols-2 xl:grid-cols-3" data-testid="rules">
          {rules.map((rule) => (
            <RuleCard
              key={rule.id}
              rule={rule}
              ruleNames={ruleNames}
              canEdit={canEdit}
              busy={busyId === rule.id}
              onEdit={() => open(rule)}
              onTest={() => open(rule, true)}
              onToggle={() => toggle.mutate(rule)}
              onDelete={() => remove.mutate(rule)}
            />
          ))}
        </ul>
      )}
    </section>
  );
}
