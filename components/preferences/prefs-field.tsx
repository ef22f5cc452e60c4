"use client";

import { Field, FieldError, type FieldProps } from "@/components/field";

/** The API's message for a field made of several controls; `prefs-error-<field>`. */
export function PrefsFieldError({ id, field, error }: { id?: string; field: string; error: string | undefined }) {
  return <FieldError id={id} testId={`prefs-error-${field}`} error={error} />;
}

/** components/field.tsx's Field with this page's error test ids. */
export function PrefsField(props: Omit<FieldProps, "errorTestIdPrefix">) {
  return <Field {...props} errorTestIdPrefix="prefs-error" />;
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
