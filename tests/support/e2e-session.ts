import { expect, type Page } from "@playwright/test";
import { TEST_ADMIN, TEST_INGEST_KEY } from "./vigil-process";

/** A path on the shared browser-test server (tests/e2e/global-setup.ts). */
export const url = (path: string) => `${process.env.VIGIL_E2E_URL}${path}`;

/** Posts a batch as an application would, with the test ingest key. */
export async function ingest(page: Page, samples: object[]) {
  const response = await page.request.post(url("/api/ingest/metrics"), {
    headers: { authorization: `Bearer ${TEST_INGEST_KEY}` },
    data: { samples },
  });
  expect(response.status(), await response.text()).toBe(200);
}

/** The page is no wider than the viewport; on failure, names the elements that stick out (that is where the fix goes). */
export async function expectNoSidewaysScroll(page: Page) {
  const { width, viewport, culprits } = await page.evaluate(() => ({
    width: document.documentElement.scrollWidth,
    viewport: window.innerWidth,
    culprits: [...document.querySelectorAll("body *")]
      .filter((el) => el.getBoundingClientRect().right + window.scrollX > window.innerWidth + 1)
      .slice(-6)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className}: ${(el.textContent ?? "").slice(0, 40)}`),
  }));
  expect(width, culprits.join("\n")).toBeLessThanOrEqual(viewport);
}

/** Signs in as the test admin through the login form, as a person would. */
export async function signIn(page: Page) {
  await page.goto(url("/"));
  await expect(page).toHaveURL(/\/login$/);
  await page.getByLabel("Email").fill(TEST_ADMIN.email);
  await page.getByLabel("Password").fill(TEST_ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("nav-alerts")).toBeVisible();
}

export async function openAlertsPage(page: Page) {
  await page.getByTestId("nav-alerts").click();
  await expect(page).toHaveURL(/\/alerts$/);
  await expect(page.getByRole("heading", { name: "Alert management" })).toBeVisible();
}
