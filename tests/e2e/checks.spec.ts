import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test, type Page } from "@playwright/test";
import { TEST_ADMIN } from "../support/vigil-process";

const url = (path: string) => `${process.env.VIGIL_E2E_URL}${path}`;

async function signIn(page: Page, who: { email: string; password: string } = TEST_ADMIN) {
  await page.goto(url("/"));
  await expect(page).toHaveURL(/\/login$/);
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("nav-checks")).toBeVisible();
}

async function openChecksPage(page: Page) {
  await page.getByTestId("nav-checks").click();
  await expect(page).toHaveURL(/\/checks$/);
  await expect(page.getByRole("heading", { name: "Health checks" })).toBeVisible();
}

/** A service's health endpoint on loopback, for Vigil (another process on this machine) to check. */
let service: Server;
let serviceUrl: string;

test.beforeAll(async () => {
  service = createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}'));
  await new Promise<void>((resolve) => service.listen(0, "127.0.0.1", resolve));
  serviceUrl = `http://127.0.0.1:${(service.address() as AddressInfo).port}/health`;
});

test.afterAll(async () => {
  service.closeAllConnections();
  await new Promise((resolve) => service.close(resolve));
});

test("an admin adds, edits and deletes a health check, and sees it become healthy", async ({ page }, testInfo) => {
  // Each project (desktop, phone) runs against the same server: names must not collide.
  const name = `E2E shop API ${testInfo.project.name} ${Date.now()}`;
  const renamed = `${name} (edited)`;
  await signIn(page);
  await openChecksPage(page);
  await expect(page.getByTestId("viewer-note")).toHaveCount(0);

  const form = page.getByTestId("check-form");
  await form.getByTestId("check-name").fill(name);

  // A bad URL: the API refuses it and the form says which field and why.
  await form.getByTestId("check-url").fill("not a url");
  await form.getByTestId("check-submit").click();
  await expect(form.getByTestId("field-error-url")).toContainText("http:// or https://");
  await expect(form.getByTestId("form-error")).toBeVisible();
  await expect(form.getByTestId("check-url")).toHaveAttribute("aria-invalid", "true");

  // Fixed, it is added, runs, and shows healthy with its reason and latency.
  await form.getByTestId("check-url").fill(serviceUrl);
  await form.getByTestId("check-body-condition").fill('status == "ok"');
  await form.getByTestId("check-interval").fill("5");
  await form.getByTestId("check-submit").click();
  await expect(page.getByTestId("checks-notice")).toContainText(`Added ${name}`);
  await expect(form.getByTestId("field-error-url")).toHaveCount(0);
  await expect(form.getByTestId("check-name")).toHaveValue(""); // ready for the next one

  const row = page.locator(`[data-testid="check-row"][data-check-name="${name}"]`);
  await expect(row).toBeVisible();
  await expect(row).toHaveAttribute("data-state", "healthy", { timeout: 20_000 });
  await expect(row.getByTestId("check-row-state")).toHaveText("Healthy");
  await expect(row.getByTestId("check-row-reason")).toHaveText(/^HTTP 200 in \d+ ms$/);
  await expect(row.getByTestId("check-row-latency")).toHaveText(/^\d+ ms$/);
  await expect(row.getByTestId("check-row-checked")).toHaveText(/^checked \d+ s ago$/);

  // Edit: the form fills with the check; a bad URL is refused here too; then a rename is saved.
  await row.getByTestId("check-edit").click();
  await expect(page.getByRole("heading", { name: `Edit ${name}` })).toBeVisible();
  await expect(form.getByTestId("check-name")).toHaveValue(name);
  await expect(form.getByTestId("check-url")).toHaveValue(serviceUrl);
  await expect(form.getByTestId("check-interval")).toHaveValue("5");
  await form.getByTestId("check-url").fill("ftp://127.0.0.1/health");
  await form.getByTestId("check-submit").click();
  await expect(form.getByTestId("field-error-url")).toContainText("http:// or https://");

  await form.getByTestId("check-url").fill(serviceUrl);
  await form.getByTestId("check-name").fill(renamed);
  await form.getByTestId("check-interval").fill("10");
  await form.getByTestId("check-submit").click();
  await expect(page.getByTestId("checks-notice")).toContainText(`Saved ${renamed}`);
  await expect(page.getByRole("heading", { name: "Add a check" })).toBeVisible();
  const renamedRow = page.locator(`[data-testid="check-row"][data-check-name="${renamed}"]`);
  await expect(renamedRow).toContainText("every 10 s");
  await expect(renamedRow).toHaveAttribute("data-state", "healthy");
  await expect(page.locator(`[data-testid="check-row"][data-check-name="${name}"]`)).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath("checks.png"), fullPage: true });

  // Delete asks first; "Keep" changes nothing, "Delete" removes it.
  await renamedRow.getByTestId("check-delete").click();
  await renamedRow.getByTestId("check-delete-cancel").click();
  await expect(renamedRow).toBeVisible();
  await renamedRow.getByTestId("check-delete").click();
  await renamedRow.getByTestId("check-delete-confirm").click();
  await expect(page.getByTestId("checks-notice")).toContainText(`Deleted ${renamed}`);
  await expect(renamedRow).toHaveCount(0);

  // The dashboard link leads back.
  await page.getByTestId("nav-dashboard").click();
  await expect(page.getByRole("heading", { name: "System monitoring" })).toBeVisible();
});

test("a viewer sees the checks but cannot change them", async ({ page, browser }, testInfo) => {
  // An admin, in a context of their own, sets up a check and a viewer through the API.
  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  const name = `E2E viewer sees ${testInfo.project.name} ${Date.now()}`;
  const viewer = { email: `viewer-${testInfo.project.name}-${Date.now()}@test.local`, password: "viewer-password" };
  let checkId: string | undefined;
  try {
    await signIn(admin);
    const created = await admin.request.post(url("/api/admin/monitoring/health/services"), { data: { name, url: serviceUrl, intervalSeconds: 5 } });
    expect(created.status()).toBe(201);
    checkId = ((await created.json()) as { check: { id: string } }).check.id;
    expect((await admin.request.post(url("/api/admin/users"), { data: { ...viewer, role: "viewer" } })).status()).toBe(201);

    await signIn(page, viewer);
    await openChecksPage(page);
    const row = page.locator(`[data-testid="check-row"][data-check-name="${name}"]`);
    await expect(row).toHaveAttribute("data-state", "healthy", { timeout: 20_000 });
    await expect(row.getByTestId("check-row-state")).toHaveText("Healthy");
    await expect(row.getByTestId("check-edit")).toHaveCount(0);
    await expect(row.getByTestId("check-delete")).toHaveCount(0);
    await expect(page.getByTestId("viewer-note")).toBeVisible();
    await expect(page.getByTestId("check-name")).toBeDisabled();
    await expect(page.getByTestId("check-submit")).toBeDisabled();
  } finally {
    if (checkId) await admin.request.delete(url(`/api/admin/monitoring/health/services/${checkId}`));
    await adminContext.close();
  }
});
