import { expect, test, type Page } from "@playwright/test";
import { expectNoSidewaysScroll, openAlertsPage, signIn, url } from "../support/e2e-session";
import { TEST_ADMIN } from "../support/vigil-process";

interface RuleJson {
  id: string;
  name: string;
  escalationPolicyId: string | null;
}

async function ruleNamed(page: Page, name: string): Promise<RuleJson | undefined> {
  const response = await page.request.get(url("/api/admin/monitoring/rules"));
  expect(response.status()).toBe(200);
  return ((await response.json()) as { rules: RuleJson[] }).rules.find((rule) => rule.name === name);
}

test("an admin creates an escalation policy, renames it, gives it to a rule and deletes it", async ({ page }, testInfo) => {
  // The narrowest phones Vigil supports.
  if (testInfo.project.name === "phone") await page.setViewportSize({ width: 360, height: 780 });
  // Each project (desktop, phone) runs against the same server: names must not collide.
  const stamp = `${testInfo.project.name}_${Date.now().toString(36)}`;
  const name = `E2E page the on-call ${stamp}`;
  const renamed = `E2E page the on-call, then SMS ${stamp}`;
  const ruleName = `E2E escalated errors ${stamp}`;
  const metric = `e2e.escalation.errors_${stamp}`;
  let policyId: string | null = null;
  await signIn(page);
  try {
    await openAlertsPage(page);
    const section = page.getByTestId("escalation-policies");
    // The seeded defaults are there, one of them badged as the critical default.
    await expect(section.getByTestId("policy-default").filter({ hasText: "Default for critical" })).toHaveCount(1);

    // A new policy starts with one tier: at once, subscribers, the rule's channels.
    await section.getByTestId("policy-add").click();
    const form = section.getByTestId("policy-form");
    await form.getByTestId("policy-name").fill(name);
    await expect(form.getByTestId("policy-tier")).toHaveCount(1);
    await expect(form.getByTestId("policy-tier-after")).toHaveValue("0s");
    await expect(form.getByTestId("policy-tier-rule-channels")).toBeChecked();
    await expect(form.getByTestId("policy-tier-subscribers")).toBeChecked();

    // A second tier: SMS to the admin named, after a wait typed below.
    await form.getByTestId("policy-add-tier").click();
    await expect(form.getByTestId("policy-tier")).toHaveCount(2);
    const second = form.getByTestId("policy-tier").nth(1);
    await second.getByTestId("policy-tier-channel-sms").check();
    await expect(second.getByTestId("policy-tier-rule-channels")).not.toBeChecked();
    await second.getByTestId("policy-tier-chosen").check();
    await second.getByRole("checkbox", { name: TEST_ADMIN.email, exact: true }).check();
    if (testInfo.project.name === "phone") await expectNoSidewaysScroll(page);

    // No wait for the second tier: the API refuses, and the form says so beside that tier.
    await form.getByTestId("policy-save").click();
    await expect(second.getByTestId("policy-error-tiers")).toBeVisible();
    await expect(second.getByTestId("policy-tier-after")).toHaveAttribute("aria-invalid", "true");
    await expect(form.getByTestId("form-error")).toBeVisible();
    await second.getByTestId("policy-tier-after").fill("5m");

    // The seeded critical default holds that severity: a 409, shown beside the select.
    await form.getByTestId("policy-severity").selectOption("critical");
    await form.getByTestId("policy-save").click();
    await expect(form.getByTestId("policy-error-severity")).toContainText("already the critical default");
    await form.getByTestId("policy-severity").selectOption({ label: "None: only rules that name it" });

    await form.getByTestId("policy-repeat").fill("1");
    await form.getByTestId("policy-repeat-after").fill("15m");
    await form.getByTestId("policy-save").click();
    await expect(form).toHaveCount(0);
    await expect(section.getByTestId("policies-notice")).toContainText(`Created ${name}`);

    const card = section.locator(`[data-testid="policy-card"][data-policy-name="${name}"]`);
    await expect(card.getByTestId("policy-tier-line")).toHaveText([/^At once: subscribers on the rule.s channels$/, `After 5m: ${TEST_ADMIN.email} on SMS`]);
    await expect(card.getByTestId("policy-repeat-line")).toHaveText("Repeats 1 time every 15m");
    await expect(card.getByTestId("policy-default")).toHaveCount(0);
    policyId = await card.getAttribute("data-policy-id");
    expect(policyId).toBeTruthy();
    if (testInfo.project.name === "phone") await expectNoSidewaysScroll(page);

    // Renamed: the form opens on what was saved, and the rest stays as it was.
    await card.getByTestId("policy-edit").click();
    await expect(form.getByTestId("policy-name")).toHaveValue(name);
    await expect(form.getByTestId("policy-tier")).toHaveCount(2);
    await expect(form.getByTestId("policy-tier").nth(1).getByTestId("policy-tier-after")).toHaveValue("5m");
    await expect(form.getByTestId("policy-tier").nth(1).getByTestId("policy-tier-channel-sms")).toBeChecked();
    await form.getByTestId("policy-name").fill(renamed);
    await form.getByTestId("policy-save").click();
    await expect(form).toHaveCount(0);
    await expect(section.getByTestId("policies-notice")).toContainText(`Saved ${renamed}`);
    await expect(card).toHaveCount(0);
    const renamedCard = section.locator(`[data-testid="policy-card"][data-policy-id="${policyId}"]`);
    await expect(renamedCard).toHaveAttribute("data-policy-name", renamed);
    await expect(renamedCard.getByTestId("policy-tier-line")).toHaveCount(2);

    // A new rule names the policy; its editor shows it when opened again.
    await page.getByTestId("rule-new").click();
    const editor = page.getByTestId("rule-editor");
    await editor.getByLabel("Name", { exact: true }).fill(ruleName);
    await editor.getByLabel("Metric", { exact: true }).fill(metric);
    await editor.getByLabel("Threshold", { exact: true }).fill("100");
    await editor.getByLabel("Severity", { exact: true }).selectOption("warning");
    await editor.getByText("More", { exact: true }).click();
    const policySelect = editor.getByTestId("rule-escalation-policy");
    await expect(policySelect).toHaveValue("");
    await policySelect.selectOption({ label: renamed });
    await editor.getByRole("button", { name: "Create rule" }).click();
    await expect(page.getByTestId("rules-notice")).toContainText(`Created ${ruleName}`);
    await expect(editor).toHaveCount(0);
    expect((await ruleNamed(page, ruleName))?.escalationPolicyId).toBe(policyId);

    const ruleCard = page.locator(`[data-testid="rule-card"][data-rule-name="${ruleName}"]`);
    await ruleCard.getByRole("button", { name: `Edit ${ruleName}`, exact: true }).click();
    await editor.getByText("More", { exact: true }).click();
    await expect(editor.getByTestId("rule-escalation-policy")).toHaveValue(policyId!);
    await editor.getByRole("button", { name: "Cancel" }).click();
    await expect(editor).toHaveCount(0);

    // Deleted after a confirmation: the rule goes back to its severity's default.
    await renamedCard.getByTestId("policy-delete").click();
    await renamedCard.getByTestId("policy-delete-confirm").click();
    await expect(section.getByTestId("policies-notice")).toContainText(`Deleted ${renamed}`);
    await expect(renamedCard).toHaveCount(0);
    policyId = null;
    expect((await ruleNamed(page, ruleName))?.escalationPolicyId).toBeNull();
  } finally {
    const rule = await ruleNamed(page, ruleName);
    if (rule) await page.request.delete(url(`/api/admin/monitoring/rules/${rule.id}`));
    if (policyId) await page.request.delete(url(`/api/admin/monitoring/escalation-policies/${policyId}`));
  }
});
