import { expect, test, type Page } from "@playwright/test";
import { TEST_ADMIN, TEST_INGEST_KEY } from "../support/vigil-process";

const url = (path: string) => `${process.env.VIGIL_E2E_URL}${path}`;

async function signIn(page: Page) {
  await page.goto(url("/login"));
  await page.getByLabel("Email").fill(TEST_ADMIN.email);
  await page.getByLabel("Password").fill(TEST_ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("nav-preferences")).toBeVisible();
}

test("an admin sets their channels, is told what is wrong, and sends themselves a test", async ({ page }) => {
  await signIn(page);
  await page.getByTestId("nav-preferences").click();
  await expect(page).toHaveURL(/\/preferences$/);
  await expect(page.getByTestId("channel-status-email")).toHaveAttribute("data-configured", "true");

  await page.getByTestId("prefs-sms-enabled").check();
  await page.getByTestId("prefs-phone").fill("0170 1234");
  await page.getByTestId("prefs-save").click();
  await expect(page.getByTestId("prefs-error-phone")).toContainText("E.164");

  await page.getByTestId("prefs-phone").fill("+14155550100");
  await page.getByTestId("prefs-save").click();
  await expect(page.getByTestId("prefs-saved")).toBeVisible();

  await page.getByTestId("prefs-send-test").click();
  await expect(page.getByTestId("test-result-email")).toHaveAttribute("data-status", "sent");
  await expect(page.getByTestId("test-result-sms")).toHaveAttribute("data-status", "sent");
  await expect(page.getByTestId("test-result-slack")).toHaveAttribute("data-status", "disabled");

  // Switched off again, so the other browser tests' alerts do not text anyone.
  await page.getByTestId("prefs-sms-enabled").uncheck();
  await page.getByTestId("prefs-save").click();
  await expect(page.getByTestId("prefs-saved")).toBeVisible();
});

test("an alert's page shows who was paged, and acknowledging it there works", async ({ page }, testInfo) => {
  await signIn(page);
  const metric = `e2e.notify_${testInfo.project.name}`;
  const created = await page.request.post(url("/api/admin/monitoring/rules"), {
    data: { name: `Notify test (${testInfo.project.name})`, metric, aggregation: "last", window: "1m", operator: ">", threshold: 10, for: "0s", severity: "critical", channels: ["email"] },
  });
  expect(created.status()).toBe(201);
  const ingested = await page.request.post(url("/api/ingest/metrics"), {
    headers: { authorization: `Bearer ${TEST_INGEST_KEY}` },
    data: { samples: [{ metric, value: 99 }] },
  });
  expect(ingested.status()).toBe(200);

  await page.getByTestId("nav-alerts").click();
  await page.getByRole("link", { name: `Notify test (${testInfo.project.name})` }).click();
  await expect(page.getByTestId("alert-detail")).toBeVisible();
  const sent = page.locator('[data-testid="delivery-row"][data-channel="email"][data-state="sent"]');
  await expect(sent).toHaveCount(1, { timeout: 15_000 });
  await expect(sent.getByTestId("delivery-provider-id")).not.toBeEmpty();

  await page.getByTestId("alert-acknowledge").click();
  await expect(page.getByTestId("alert-status")).toHaveAttribute("data-status", "acknowledged");
});
