"use client";

import { useId } from "react";
import { INPUT_CLASS, type FieldControlProps } from "@/components/field";

/** The API's message for a field, under it; `prefs-error-<field>` by the API's path. */
export function PrefsFieldError({ id, field, error }: { id?: string; field: string; error: string | undefined }) {
  if (!error) return null;
  return (
    <p id={id} className="mt-1 text-sm break-words text-red-700 dark:text-red-400" data-testid={`prefs-error-${field}`}>
      {error}
    </p>
  );
}

/** Like components/field.tsx's Field, with this page's error test ids. */
export function PrefsField({
  label,
  hint,
  error,
  field,
  className = "",
  children,
}: {
  label: string;
  hint?: string;
  error?: string;
  field: string;
  className?: string;
  children: (props: FieldControlProps) => React.ReactNode;
}) {
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
      <PrefsFieldError id={`${id}-error`} field={field} error={error} />
    </div>
  );
}

/** A checkbox with its words as its label; a thumb's height on phones. */
export function Checkbox({
  label,
  checked,
  onChange,
  testId,
  invalid = false,
  className = "",
}: {
  label: React.ReactNode;
  checked: boolean;
  onChange: (checked: boolean) => void;
  testId: string;
  invalid?: boolean;
  className?: string;
}) {
  return (
    <label className={`flex min-h-11 items-center gap-2 text-sm sm:min-h-8 ${className}`}>
      <input
        type="checkbox"
        checked={checked}
        onChange={(event) => onChange(event.target.checked)}
        aria-invalid={invalid || undefined}
        className="h-4 w-4 shrink-0 accent-indigo-600"
        data-testid={testId}
      />
      <span className="min-w-0">{label}</span>
    </label>
  );
}
