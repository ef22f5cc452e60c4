"use client";

import { useId, useState } from "react";
import { INPUT_CLASS } from "@/components/field";
import { RowButton } from "@/components/row-button";

/** Resolving by hand, with notes for the history: the active list and the alert's own page. */
export function ResolveForm({ ruleName, busy, onResolve, onCancel }: { ruleName: string; busy: boolean; onResolve: (notes: string) => void; onCancel: () => void }) {
  const notesId = useId();
  const [notes, setNotes] = useState("");
  return (
    <form
      className="mt-3 min-w-0 space-y-2"
      aria-label={`Resolve ${ruleName}`}
      onSubmit={(event) => {
        event.preventDefault();
        onResolve(notes);
      }}
    >
      <label htmlFor={notesId} className="block text-sm font-medium">
        Resolution notes
      </label>
      <textarea
        id={notesId}
        value={notes}
        onChange={(e) => setNotes(e.target.value)}
        rows={2}
        maxLength={2000}
        placeholder="Optional: what was done, for the history"
        className={`${INPUT_CLASS} border-slate-300 dark:border-slate-700`}
        data-testid="alert-resolve-notes"
      />
      <div className="flex flex-wrap gap-2 text-sm">
        <button
          type="submit"
          disabled={busy}
          className="min-h-11 rounded-md bg-indigo-600 px-4 font-medium text-white hover:bg-indigo-500 disabled:opacity-60 sm:min-h-0 sm:px-2 sm:py-0.5"
          data-testid="alert-resolve-confirm"
        >
          {busy ? "Resolving…" : "Confirm resolve"}
        </button>
        <RowButton onClick={onCancel} data-testid="alert-resolve-cancel">
          Cancel
        </RowButton>
      </div>
    </form>
  );
}
