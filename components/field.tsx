"use client";

import { useId } from "react";

export const INPUT_CLASS =
  "mt-1 block w-full min-w-0 rounded-md border bg-white px-3 py-2 text-slate-900 disabled:cursor-not-allowed disabled:bg-slate-100 disabled:text-slate-500 dark:bg-slate-900 dark:text-slate-100 dark:disabled:bg-slate-800";

export interface FieldControlProps {
  id: string;
  "aria-invalid": boolean;
  "aria-describedby": string | undefined;
  className: string;
}

/**
 * A labelled control with its hint and its error from the API. The label is only the field's
 * name (hints go to aria-describedby), so `getByLabel("Threshold", { exact: true })` finds it.
 */
export interface FieldProps {
  label: string;
  hint?: string;
  error?: string;
  /** The API's path for the field, for the error's test id. */
  field: string;
  className?: string;
  /** The error's test id is `<prefix>-<field>`: each form names its own. */
  errorTestIdPrefix?: string;
  children: (props: FieldControlProps) => React.ReactNode;
}

export function Field({ label, hint, error, field, className = "", errorTestIdPrefix = "field-error", children }: FieldProps) {
  const id = useId();
  const describedBy = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(" ") || undefined;
  return (
    <div className={`min-w-0 ${className}`}>
      <label htmlFor={id} className="block text-sm font-medium">
        {label}
      </label>
      {children({
        id,
        "aria-invalid": Boolean(error),
        "aria-describedby": describedBy,
        className: `${INPUT_CLASS} ${error ? "border-red-500 dark:border-red-500" : "border-slate-300 dark:border-slate-700"}`,
      })}
      {hint && (
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-500">
          {hint}
        </p>
      )}
      <FieldError id={`${id}-error`} testId={`${errorTestIdPrefix}-${field}`} error={error} />
    </div>
  );
}

/** The API's message for a field, under it (also for a field made of several controls). */
export function FieldError({ id, testId, error }: { id?: string; testId: string; error: string | undefined }) {
  if (!error) return null;
  return (
    <p id={id} className="mt-1 text-sm break-words text-red-700 dark:text-red-400" data-testid={testId}>
      {error}
    </p>
  );
}

/** Errors the API sent for fields this form does not show (a stale rule id, say) still need saying. */
export function FormError({ error, knownFields }: { error: { message: string; fieldErrors: Record<string, string> } | null; knownFields: readonly string[] }) {
  if (!error) return null;
  const shown = Object.keys(error.fieldErrors).some((path) => knownFields.includes(path));
  return (
    <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm break-words text-red-700 dark:bg-red-950 dark:text-red-300" data-testid="form-error">
      {shown ? `Please fix the fields marked in red. (${error.message})` : error.message}
    </p>
  );
}
