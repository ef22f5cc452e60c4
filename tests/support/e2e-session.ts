import { expect, type Page } from "@playwright/test";
import { TEST_ADMIN } from "./vigil-process";

const url = (path: string) => `${process.env.VIGIL_E2E_URL}${path}`;

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
