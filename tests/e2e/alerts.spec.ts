import { expect, test, type Page } from "@playwright/test";
import { ingest, openAlertsPage, signIn, url } from "../support/e2e-session";

async function expectNoSidewaysScroll(page: Page) {
  // On failure, name the elements that stick out: that is where the fix goes.
  const { width, culprits } = await page.evaluate(() => ({
    width: document.documentElement.scrollWidth,
    culprits: [...document.querySelectorAll("body *")]
      .filter((el) => el.getBoundingClientRect().right + window.scrollX > 391 || (el instanceof HTMLElement && el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === "visible"))
      .slice(-6)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className}: ${(el.textContent ?? "").slice(0, 40)}`),
  }));
  expect(width, culprits.join("\n")).toBeLessThanOrEqual(390);
}

interface AlertJson {
  ruleId: string;
  status: string;
  autoResolved: boolean;
  resolutionNotes: string | null;
}

test("an admin creates a rule, handles its alert, backtests the rule, disables and deletes it", async ({ page }, testInfo) => {
  // The breach has to age out of the rule's window before it can be resolved for good (below).
  test.setTimeout(120_000);
  // Each project (desktop, phone) runs against the same server: names must not collide.
  const stamp = `${testInfo.project.name}_${Date.now().toString(36)}`;
  const metric = `e2e.alerts.queue_${stamp}`;
  const name = `E2E queue depth ${stamp}`;
  const note = `drained the queue (${stamp})`;
  await signIn(page);
  await openAlertsPage(page);
  await expect(page.getByTestId("count-active")).toHaveText(/^\d+ active$/);
  await expect(page.getByTestId("count-acknowledged")).toHaveText(/^\d+ acknowledged$/);

  // New rule through the editor. "Threshold" and "For" also occur in other labels: exact names.
  await page.getByRole("button", { name: "New rule" }).click();
  const editor = page.getByTestId("rule-editor");
  await expect(editor.getByRole("heading", { name: "New rule" })).toBeVisible();
  await editor.getByLabel("Name", { exact: true }).fill(name);
  await editor.getByLabel("Metric", { exact: true }).fill(metric);
  await editor.getByLabel("Aggregation", { exact: true }).selectOption("last");
  // A short window: the breach leaves it soon after firing, so resolving it by hand sticks.
  await editor.getByLabel("Window", { exact: true }).fill("15s");
  await expect(editor.getByLabel("Denominator", { exact: true })).toHaveCount(0);
  await editor.getByLabel("Operator", { exact: true }).selectOption(">");
  await editor.getByLabel("For", { exact: true }).fill("0s");
  await editor.getByLabel("Severity", { exact: true }).selectOption("critical");

  // No threshold yet: the API refuses, and the form says which field.
  await editor.getByRole("button", { name: "Create rule" }).click();
  await expect(editor.getByTestId("field-error-threshold")).toBeVisible();
  await expect(editor.getByLabel("Threshold", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await expect(editor.getByTestId("form-error")).toBeVisible();

  await editor.getByLabel("Threshold", { exact: true }).fill("50");
  await editor.getByLabel("Clear threshold", { exact: true }).fill("20");
  await editor.getByRole("button", { name: "Create rule" }).click();
  await expect(page.getByTestId("rules-notice")).toContainText(`Created ${name}`);
  await expect(editor).toHaveCount(0);

  const card = page.locator(`[data-testid="rule-card"][data-rule-name="${name}"]`);
  await expect(card).toHaveAttribute("data-active", "true");
  await expect(card.getByTestId("rule-description")).toHaveText(`last of ${metric} over 15s > 50 for 0s`);
  await expect(card.getByTestId("severity")).toHaveText("Critical");
  const ruleId = await card.getAttribute("data-rule-id");
  expect(ruleId).toBeTruthy();

  // A breach: the evaluator (every second) opens the alert, the page (every 5 s) shows it.
  const breachAt = Date.now();
  await ingest(page, [{ metric, service: "worker", value: 80, timestamp: breachAt }]);
  const alert = page.locator(`[data-testid="active-alert"][data-rule-id="${ruleId}"]`);
  await expect(alert).toHaveAttribute("data-status", "firing", { timeout: 15_000 });
  await expect(alert.getByTestId("alert-status")).toHaveText("Firing");
  await expect(alert.getByTestId("alert-reason")).toHaveText(/is 80 over 15s \(alert when > 50\)$/);
  await expect(alert.getByTestId("severity")).toHaveText("Critical");
  await expect(page.getByTestId("count-active")).toHaveText(/^[1-9]\d* active$/);

  await alert.getByRole("button", { name: `Acknowledge ${name}`, exact: true }).click();
  await expect(alert).toHaveAttribute("data-status", "acknowledged");
  await expect(alert.getByTestId("alert-status")).toHaveText("Acknowledged");
  await expect(alert.getByRole("button", { name: `Acknowledge ${name}`, exact: true })).toHaveCount(0);
  await expect(page.getByTestId("count-acknowledged")).toHaveText(/^[1-9]\d* acknowledged$/);

  // Resolved by hand while the sample is still in the window, the evaluator would open a new
  // alert at once. Once it has left (no data: the rule keeps its state), the resolve sticks.
  await page.waitForTimeout(Math.max(0, breachAt + 15_000 + 3_000 - Date.now()));
  await alert.getByRole("button", { name: `Resolve ${name}`, exact: true }).click();
  await alert.getByLabel("Resolution notes").fill(note);
  await alert.getByRole("button", { name: "Confirm resolve" }).click();
  await expect(alert).toHaveCount(0);

  const history = await page.request.get(url(`/api/admin/monitoring/alerts/history?ruleId=${ruleId}`));
  expect(history.status()).toBe(200);
  const { alerts } = (await history.json()) as { alerts: AlertJson[] };
  expect(alerts).toHaveLength(1);
  expect(alerts[0]).toMatchObject({ status: "resolved", autoResolved: false, resolutionNotes: note });
  // And it stays resolved: a few evaluator passes later nothing has reopened.
  await page.waitForTimeout(2_500);
  const active = (await (await page.request.get(url("/api/admin/monitoring/alerts/active?include=pending"))).json()) as { alerts: AlertJson[] };
  expect(active.alerts.filter((a) => a.ruleId === ruleId)).toHaveLength(0);

  // The card's Test opens the editor on the rule and backtests it: the breach above is in the last 24 h.
  await card.getByRole("button", { name: `Test ${name}`, exact: true }).click();
  const testing = page.getByTestId("rule-editor");
  await expect(testing.getByRole("heading", { name: `Edit ${name}` })).toBeVisible();
  await expect(testing.getByLabel("Threshold", { exact: true })).toHaveValue("50");
  const result = testing.getByTestId("backtest-result");
  await expect(result.getByTestId("backtest-summary")).toHaveText(/^Would have fired [1-9]\d* times? in the last 24 h$/, { timeout: 20_000 });
  await expect(result.getByTestId("backtest-alert").first()).toContainText("Fired");
  await expect(result.getByTestId("backtest-chart")).toBeVisible();

  // The same over 7 days, with an unsaved edit: a threshold above the breach would never have fired.
  await testing.getByLabel("Last 7 days").check();
  await testing.getByLabel("Threshold", { exact: true }).fill("100");
  await testing.getByRole("button", { name: "Backtest", exact: true }).click();
  await expect(result.getByTestId("backtest-summary")).toHaveText("Would have fired 0 times in the last 7 days", { timeout: 20_000 });
  await expect(result.getByTestId("backtest-alert")).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath("alerts-backtest.png"), fullPage: true });
  await testing.getByRole("button", { name: "Cancel" }).click();
  await expect(testing).toHaveCount(0);
  // Nothing was saved by testing.
  await expect(card.getByTestId("rule-description")).toHaveText(`last of ${metric} over 15s > 50 for 0s`);

  await card.getByRole("button", { name: `Disable ${name}`, exact: true }).click();
  await expect(card).toHaveAttribute("data-active", "false");
  await expect(card.getByTestId("rule-disabled")).toHaveText("Disabled");
  await expect(card.getByRole("button", { name: `Enable ${name}`, exact: true })).toBeVisible();

  // Delete asks first; "Keep" changes nothing.
  await card.getByRole("button", { name: `Delete ${name}`, exact: true }).click();
  await card.getByRole("button", { name: "Keep" }).click();
  await expect(card).toBeVisible();
  await card.getByRole("button", { name: `Delete ${name}`, exact: true }).click();
  await card.getByRole("button", { name: `Confirm delete ${name}`, exact: true }).click();
  await expect(page.getByTestId("rules-notice")).toContainText(`Deleted ${name}`);
  await expect(card).toHaveCount(0);
});

test("on a 390 px phone the page, the editor and the silence form fit without sideways scrolling", async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const stamp = `${testInfo.project.name}_${Date.now().toString(36)}`;
  // Long names are what push a narrow layout sideways.
  const name = `E2E a rather long rule name that has to wrap on a phone screen ${stamp}`;
  const metric = `e2e.alerts.a_rather_long_metric_name_for_wrapping.${stamp}`;
  const reason = `E2E maintenance window ${stamp}`;
  await signIn(page);
  // Disabled: it is here to be drawn and backtested, not to alert anyone.
  const created = await page.request.post(url("/api/admin/monitoring/rules"), {
    data: { name, metric, service: "worker", aggregation: "p95", window: "1m", operator: ">", threshold: 1000, for: "30s", severity: "warning", channels: ["email", "slack"], isActive: false },
  });
  expect(created.status()).toBe(201);
  const ruleId = ((await created.json()) as { rule: { id: string } }).rule.id;
  try {
    await ingest(page, [{ metric, service: "worker", value: 1500 }]);
    await openAlertsPage(page);
    const card = page.locator(`[data-testid="rule-card"][data-rule-id="${ruleId}"]`);
    await expect(card).toBeVisible();
    await expectNoSidewaysScroll(page);

    // The editor with everything unfolded, and a backtest's chart.
    await card.getByRole("button", { name: `Test ${name}`, exact: true }).click();
    const editor = page.getByTestId("rule-editor");
    await expect(editor.getByTestId("backtest-summary")).toBeVisible({ timeout: 20_000 });
    await editor.getByText("More", { exact: true }).click();
    await expect(editor.getByLabel("Runbook URL")).toBeVisible();
    await editor.getByLabel("Aggregation", { exact: true }).selectOption("ratio");
    await expect(editor.getByLabel("Denominator", { exact: true })).toBeVisible();
    await expectNoSidewaysScroll(page);
    await editor.getByRole("button", { name: "Cancel" }).click();

    // A silence on the rule, made through the form, listed, then ended.
    await page.getByRole("button", { name: "New silence" }).click();
    const form = page.getByTestId("silence-form");
    await form.getByLabel("Rule", { exact: true }).selectOption({ label: name });
    await form.getByLabel("Duration").selectOption("4h");
    await expectNoSidewaysScroll(page);
    // No reason: the API asks for one, next to the field.
    await form.getByRole("button", { name: "Create silence" }).click();
    await expect(form.getByTestId("field-error-reason")).toBeVisible();
    await form.getByLabel("Reason", { exact: true }).fill(reason);
    await form.getByRole("button", { name: "Create silence" }).click();
    await expect(form).toHaveCount(0);
    const silence = page.getByTestId("silence-row").filter({ hasText: reason });
    await expect(silence).toHaveAttribute("data-state", "active");
    await expect(silence).toContainText(`rule ${name}`);
    await expectNoSidewaysScroll(page);
    await page.screenshot({ path: testInfo.outputPath("alerts-phone.png"), fullPage: true });
    await silence.getByRole("button", { name: "End now" }).click();
    await expect(silence).toHaveAttribute("data-state", "ended");
    await expect(silence.getByRole("button", { name: "End now" })).toHaveCount(0);
  } finally {
    await page.request.delete(url(`/api/admin/monitoring/rules/${ruleId}`));
  }
});

test("an admin creates an anomaly rule through the editor; its card says what it watches", async ({ page }, testInfo) => {
  const stamp = `${testInfo.project.name}_${Date.now().toString(36)}`;
  const metric = `e2e.alerts.checkout_${stamp}`;
  const name = `E2E unusual checkout latency ${stamp}`;
  await signIn(page);
  await openAlertsPage(page);

  await page.getByRole("button", { name: "New rule" }).click();
  const editor = page.getByTestId("rule-editor");
  await editor.getByLabel("Name", { exact: true }).fill(name);
  await editor.getByLabel("Kind", { exact: true }).selectOption("anomaly");
  // The threshold kind's fields give way to the detector's: statistic and minimum score.
  await expect(editor.getByLabel("Window", { exact: true })).toHaveCount(0);
  await expect(editor.getByLabel("Threshold", { exact: true })).toHaveCount(0);
  await expect(editor.getByLabel("Clear threshold", { exact: true })).toHaveCount(0);
  await expect(editor.getByLabel("Minimum score", { exact: true })).toHaveValue("0.8");
  await expect(editor.getByTestId("backtest-run")).toHaveCount(0);
  await editor.getByLabel("Metric", { exact: true }).fill(metric);
  await editor.getByLabel("Statistic", { exact: true }).selectOption("p95");
  await editor.getByLabel("For", { exact: true }).fill("2m");

  // A score is at most 1: the API says so against the score's field.
  await editor.getByLabel("Minimum score", { exact: true }).fill("1.5");
  await editor.getByRole("button", { name: "Create rule" }).click();
  await expect(editor.getByTestId("field-error-threshold")).toBeVisible();
  await expect(editor.getByLabel("Minimum score", { exact: true })).toHaveAttribute("aria-invalid", "true");

  await editor.getByLabel("Minimum score", { exact: true }).fill("0.8");
  await editor.getByRole("button", { name: "Create rule" }).click();
  await expect(page.getByTestId("rules-notice")).toContainText(`Created ${name}`);

  const card = page.locator(`[data-testid="rule-card"][data-rule-name="${name}"]`);
  await expect(card).toHaveAttribute("data-kind", "anomaly");
  await expect(card.getByTestId("rule-kind")).toHaveText("Anomaly");
  await expect(card.getByTestId("rule-description")).toHaveText(`anomaly score of p95 of ${metric} ≥ 0.8 for 2m`);
  const ruleId = await card.getAttribute("data-rule-id");
  try {
    // Creating it also watched the series.
    const watches = (await (await page.request.get(url("/api/admin/monitoring/anomalies/watches"))).json()) as { watches: { id: string; metric: string; stat: string; isActive: boolean }[] };
    const watch = watches.watches.find((w) => w.metric === metric);
    expect(watch).toMatchObject({ stat: "p95", isActive: true });

    // Editing it opens on the anomaly fields, as saved.
    await card.getByRole("button", { name: `Edit ${name}`, exact: true }).click();
    const editing = page.getByTestId("rule-editor");
    await expect(editing.getByLabel("Kind", { exact: true })).toHaveValue("anomaly");
    await expect(editing.getByLabel("Statistic", { exact: true })).toHaveValue("p95");
    await expect(editing.getByLabel("Minimum score", { exact: true })).toHaveValue("0.8");
    await editing.getByRole("button", { name: "Cancel" }).click();
    if (watch) await page.request.delete(url(`/api/admin/monitoring/anomalies/watches/${watch.id}`));
  } finally {
    await page.request.delete(url(`/api/admin/monitoring/rules/${ruleId}`));
  }
});
