"use client";

import { Card } from "@tremor/react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Field } from "@/components/field";
import { ApiRequestError, healthChecksApi, type CheckInput, type CheckView } from "./health-checks-api";

const METHODS = ["GET", "HEAD", "POST"] as const satisfies readonly NonNullable<CheckInput["method"]>[];

/** What the inputs hold: text, so a half-typed number is the admin's business until they save. */
interface FormValues {
  name: string;
  url: string;
  method: (typeof METHODS)[number];
  expectedStatus: string;
  timeoutMs: string;
  intervalSeconds: string;
  bodyCondition: string;
  warningLatencyMs: string;
  enabled: boolean;
}

const NEW_CHECK: FormValues = {
  name: "",
  url: "",
  method: "GET",
  expectedStatus: "200",
  timeoutMs: "5000",
  intervalSeconds: "30",
  bodyCondition: "",
  warningLatencyMs: "",
  enabled: true,
};

function valuesOf(check: CheckView): FormValues {
  return {
    name: check.name,
    url: check.url,
    method: check.method,
    expectedStatus: String(check.expectedStatus),
    timeoutMs: String(check.timeoutMs),
    intervalSeconds: String(check.intervalSeconds),
    bodyCondition: check.bodyCondition ?? "",
    warningLatencyMs: check.warningLatencyMs === null ? "" : String(check.warningLatencyMs),
    enabled: check.enabled,
  };
}

/** Blank required numbers fall back to the API's defaults; blank optional ones are "none". Validation is the API's. */
function inputOf(values: FormValues): CheckInput {
  const number = (text: string) => (text.trim() === "" ? undefined : Number(text));
  return {
    name: values.name,
    url: values.url.trim(),
    method: values.method,
    expectedStatus: number(values.expectedStatus),
    timeoutMs: number(values.timeoutMs),
    intervalSeconds: number(values.intervalSeconds),
    bodyCondition: values.bodyCondition.trim() === "" ? null : values.bodyCondition.trim(),
    warningLatencyMs: number(values.warningLatencyMs) ?? null,
    enabled: values.enabled,
  };
}


/**
 * Adds a check, or edits `editing`. Field errors come from the API's 400 (its `details.issues`
 * name the field), so the rules live in one place. Viewers see it disabled.
 */
export function CheckForm({
  editing,
  canEdit,
  onSaved,
  onCancel,
}: {
  editing: CheckView | null;
  canEdit: boolean;
  onSaved: (check: CheckView) => void;
  onCancel: () => void;
}) {
  const queryClient = useQueryClient();
  const [values, setValues] = useState<FormValues>(() => (editing ? valuesOf(editing) : NEW_CHECK));
  const save = useMutation({
    mutationFn: (input: CheckInput) => (editing ? healthChecksApi.update(editing.id, input) : healthChecksApi.create(input)),
    onSuccess: async (check) => {
      setValues(NEW_CHECK);
      await queryClient.invalidateQueries({ queryKey: ["health-checks"] });
      onSaved(check);
    },
  });

  const error = save.error instanceof ApiRequestError ? save.error : save.error ? new ApiRequestError(0, "INTERNAL", save.error.message, {}) : null;
  const fieldErrors = error?.fieldErrors ?? {};
  const knownFields = Object.keys(fieldErrors).filter((path) => path in NEW_CHECK);
  const set = <K extends keyof FormValues>(key: K) => (value: FormValues[K]) => setValues((old) => ({ ...old, [key]: value }));
  const text = (key: Exclude<keyof FormValues, "enabled" | "method">) => ({
    value: values[key],
    onChange: (event: React.ChangeEvent<HTMLInputElement>) => set(key)(event.target.value),
  });

  function submit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    save.mutate(inputOf(values));
  }

  return (
    <Card className="p-4">
      <h2 className="mb-1 font-semibold">{editing ? `Edit ${editing.name}` : "Add a check"}</h2>
      <p className="mb-4 text-sm text-slate-500">Vigil requests the URL on a schedule and records healthy, warning or down.</p>
      {!canEdit && (
        <p className="mb-4 rounded-md bg-slate-100 px-3 py-2 text-sm text-slate-700 dark:bg-slate-800 dark:text-slate-300" data-testid="viewer-note">
          You are signed in as a viewer: only admins can add, edit or delete checks.
        </p>
      )}
      {/* noValidate: the API's messages, not the browser's, so every client sees the same rules. */}
      <form onSubmit={submit} noValidate aria-label={editing ? "Edit check" : "Add check"} data-testid="check-form">
        <fieldset disabled={!canEdit || save.isPending} className="grid gap-4 sm:grid-cols-2">
          <Field label="Name" field="name" error={fieldErrors.name}>
            {(props) => <input {...props} {...text("name")} name="name" autoComplete="off" data-testid="check-name" />}
          </Field>
          <Field label="URL" field="url" error={fieldErrors.url}>
            {(props) => <input {...props} {...text("url")} name="url" type="text" inputMode="url" autoComplete="off" placeholder="https://shop.example/health" data-testid="check-url" />}
          </Field>
          <Field label="Method" field="method" error={fieldErrors.method}>
            {(props) => (
              <select {...props} name="method" value={values.method} onChange={(e) => set("method")(e.target.value as FormValues["method"])} data-testid="check-method">
                {METHODS.map((method) => (
                  <option key={method}>{method}</option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Expected status" field="expectedStatus" error={fieldErrors.expectedStatus}>
            {(props) => <input {...props} {...text("expectedStatus")} name="expectedStatus" type="number" inputMode="numeric" placeholder="200" data-testid="check-expected-status" />}
          </Field>
          <Field label="Timeout (ms)" field="timeoutMs" error={fieldErrors.timeoutMs}>
            {(props) => <input {...props} {...text("timeoutMs")} name="timeoutMs" type="number" inputMode="numeric" placeholder="5000" data-testid="check-timeout" />}
          </Field>
          <Field label="Interval (s)" field="intervalSeconds" error={fieldErrors.intervalSeconds}>
            {(props) => <input {...props} {...text("intervalSeconds")} name="intervalSeconds" type="number" inputMode="numeric" placeholder="30" data-testid="check-interval" />}
          </Field>
          <Field label="Body condition" field="bodyCondition" hint='Optional, on the JSON body: status == "ok"' error={fieldErrors.bodyCondition}>
            {(props) => <input {...props} {...text("bodyCondition")} name="bodyCondition" autoComplete="off" placeholder='status == "ok"' data-testid="check-body-condition" />}
          </Field>
          <Field label="Warning latency (ms)" field="warningLatencyMs" hint="Optional: slower than this is a warning" error={fieldErrors.warningLatencyMs}>
            {(props) => <input {...props} {...text("warningLatencyMs")} name="warningLatencyMs" type="number" inputMode="numeric" data-testid="check-warning-latency" />}
          </Field>
          <label className="flex items-center gap-2 text-sm font-medium sm:col-span-2">
            <input type="checkbox" name="enabled" checked={values.enabled} onChange={(e) => set("enabled")(e.target.checked)} className="h-4 w-4" data-testid="check-enabled" />
            Enabled
          </label>
          {error && (
            <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700 sm:col-span-2 dark:bg-red-950 dark:text-red-300" data-testid="form-error">
              {knownFields.length > 0 ? "Please fix the fields marked in red." : error.message}
            </p>
          )}
          <div className="flex flex-wrap gap-2 sm:col-span-2">
            <button
              type="submit"
              className="rounded-md bg-indigo-600 px-4 py-2 font-medium text-white hover:bg-indigo-500 disabled:opacity-60"
              data-testid="check-submit"
            >
              {save.isPending ? "Saving…" : editing ? "Save changes" : "Add check"}
            </button>
            {editing && (
              <button
                type="button"
                onClick={onCancel}
                className="rounded-md border border-slate-300 px-4 py-2 hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800"
                data-testid="check-cancel"
              >
                Cancel
              </button>
            )}
          </div>
        </fieldset>
      </form>
    </Card>
  );
}
