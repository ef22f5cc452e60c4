import { expect, test, type Page } from "@playwright/test";
import { ensureRule, IMMEDIATE_API_RULE } from "../support/rules";
import { ingest, url } from "../support/e2e-session";
import { TEST_ADMIN } from "../support/vigil-process";

async function signIn(page: Page, password = TEST_ADMIN.password) {
  await page.goto(url("/"));
  await expect(page).toHaveURL(/\/login$/);
  await page.getByLabel("Email").fill(TEST_ADMIN.email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

test("a wrong password is refused with a message, and no session", async ({ page }) => {
  await signIn(page, "definitely-wrong");
  await expect(page.getByRole("alert").filter({ hasText: /\S/ })).toHaveText("Wrong email or password.");
  await page.goto(url("/"));
  await expect(page).toHaveURL(/\/login$/);
});

test("the dashboard goes live and shows a new alert without a reload", async ({ page }, testInfo) => {
  await signIn(page);
  await expect(page.getByRole("heading", { name: "System monitoring" })).toBeVisible();
  await expect(page.getByTestId("connection")).toHaveAttribute("data-connection", "live");

  // Mark this document: if the page reloaded, the mark would be gone.
  await page.evaluate(() => ((window as unknown as { __vigilMark: boolean }).__vigilMark = true));

  // Numbers change by themselves: a value sent now shows up in the page within a second or so.
  const metric = `e2e.queue_depth_${testInfo.project.name}`;
  const row = page.getByTestId("latest-values").getByRole("row").filter({ hasText: metric });
  for (const depth of [17, 42]) {
    await ingest(page, [{ metric, service: "worker", value: depth }]);
    await expect(row).toContainText(String(depth));
  }

  // Any series can be pinned as a card, and unpinned from the card.
  await row.getByRole("button", { name: `Pin worker ${metric}` }).click();
  const pinned = page.locator("[data-testid^=card-pin-][data-state]").filter({ hasText: `${metric} (worker)` });
  await expect(pinned).toHaveAttribute("data-state", "unwatched");
  await expect(pinned).toContainText("42");
  await expect(row).toContainText("on dashboard");
  await pinned.getByRole("button", { name: /^Unpin/ }).click();
  await expect(pinned).toHaveCount(0);

  // A breach: the rule evaluator opens an alert and the stream brings it to the page. The
  // default API rule waits 30 s (`for`); this test's own rule fires on the first pass.
  const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
  await ensureRule(url(""), cookie, IMMEDIATE_API_RULE);

  const slow = Array.from({ length: 20 }, (_, i) => ({ metric: "api.response_time", service: "shop-api", unit: "ms", value: 3000 + i }));
  await ingest(page, slow);
  const alert = page.getByTestId("alert-row").filter({ hasText: IMMEDIATE_API_RULE.name });
  await expect(alert.first()).toBeVisible();
  // The card takes its colour from the rule watching it, a warning rule.
  await expect(page.getByTestId("card-api")).toHaveAttribute("data-state", "warning");
  await expect(page.getByTestId("overall-status")).not.toHaveText("All systems operational");
  expect(await page.evaluate(() => (window as unknown as { __vigilMark?: boolean }).__vigilMark)).toBe(true);

  // An admin can acknowledge it from the page.
  const firing = page.getByTestId("alert-row").filter({ hasText: IMMEDIATE_API_RULE.name }).and(page.locator("[data-status=firing]"));
  if (await firing.count()) {
    await firing.first().getByRole("button", { name: "Acknowledge" }).click();
    await expect(page.getByTestId("alert-row").filter({ hasText: IMMEDIATE_API_RULE.name }).first()).toHaveAttribute(
      "data-status",
      "acknowledged",
    );
  }
  await page.screenshot({ path: testInfo.outputPath("dashboard.png"), fullPage: true });
});
