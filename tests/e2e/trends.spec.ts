import { expect, test, type Page } from "@playwright/test";
import { expectNoSidewaysScroll, ingest, signIn, url } from "../support/e2e-session";

const MINUTE_MS = 60_000;

async function openTrendsPage(page: Page) {
  await page.getByTestId("nav-trends").click();
  await expect(page).toHaveURL(/\/trends$/);
  await expect(page.getByRole("heading", { name: "Performance trends" })).toBeVisible();
}

/**
 * Seven hours of ordinary values on every chart's metrics, backdated so the rollup backfills them
 * within a minute: enough for at least two points of every line at every period (30 days draws
 * 3-hour steps, and a line of one point has nothing to draw).
 */
function chartSamples(now: number) {
  const samples: object[] = [];
  for (let t = now - 7 * 3600_000; t < now - 10 * MINUTE_MS; t += 5 * MINUTE_MS) {
    const wave = Math.sin(t / 3600_000);
    samples.push(
      { metric: "payment.success_rate", service: "shop", unit: "%", value: 98.5 + 0.5 * wave, timestamp: t },
      { metric: "api.response_time", service: "shop-api", unit: "ms", value: 200 + 40 * wave, timestamp: t },
      { metric: "api.response_time", service: "shop-api", unit: "ms", value: 320 + 60 * wave, timestamp: t + 1000 },
      { metric: "db.query.duration", service: "postgres", unit: "ms", value: 18 + 4 * wave, timestamp: t },
      { metric: "db.connections.in_use", service: "postgres", value: Math.round(50 + 10 * wave), timestamp: t },
      { metric: "db.queries.slow", service: "postgres", value: 1, timestamp: t },
      { metric: "users.signed_in", service: "shop", value: Math.round(120 + 30 * wave), timestamp: t },
    );
  }
  return samples;
}

interface TrendsJson {
  charts: { key: string; lines: { label: string }[]; points: Record<string, number | null>[] }[];
}

test("the trends page switches periods, draws every chart and fits a phone", async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  await signIn(page);
  await ingest(page, chartSamples(Date.now()));
  // The rollup job (every minute) backfills them; until then the charts would say "no data".
  // Every line of every chart has this batch's points, at the finest and the coarsest period.
  // Not just some point: other tests' live samples put one point on a line or two, and a line of
  // one point draws nothing (seen in CI: the API chart's line was still "hidden").
  const linesFilled = async (period: "24h" | "30d", atLeast: number) => {
    const response = await page.request.get(url(`/api/admin/monitoring/performance/trends?period=${period}&tz=UTC`));
    const trends = (await response.json()) as TrendsJson;
    return trends.charts.every((chart) => chart.lines.every((line) => chart.points.filter((point) => point[line.label] != null).length >= atLeast));
  };
  await expect
    .poll(async () => (await linesFilled("24h", 60)) && (await linesFilled("30d", 2)), { timeout: 80_000, intervals: [2_000] })
    .toBe(true);

  await openTrendsPage(page);
  const trends = page.getByTestId("trends");
  // 7 days unless asked otherwise.
  await expect(trends).toHaveAttribute("data-period", "7d");
  await expect(page.getByTestId("period-7d")).toHaveAttribute("aria-pressed", "true");

  for (const period of ["24h", "30d", "7d"] as const) {
    await page.getByTestId(`period-${period}`).click();
    await expect(trends).toHaveAttribute("data-period", period);
    await expect(page.getByTestId(`period-${period}`)).toHaveAttribute("aria-pressed", "true");
    for (const key of ["payments", "api", "database"]) {
      const chart = page.getByTestId(`trend-chart-${key}`);
      await expect(chart.locator(".recharts-line").first()).toBeVisible();
      await expect(chart.getByTestId("trend-chart-summary")).toBeVisible();
    }
    const users = page.getByTestId("trend-chart-users");
    await expect(users.getByTestId("trend-users-busiest")).toBeVisible();
    // An hour nobody was signed in draws a bar of height 0.
    await expect(users.locator('.recharts-bar-rectangle rect:not([height="0"])').first()).toBeVisible();
    await expectNoSidewaysScroll(page);
  }
  // The database chart's lines are in different units: each is drawn as a share of its peak, which the legend names.
  await expect(page.getByTestId("trend-chart-database")).toContainText(/query time p95 \(% of peak [\d.]+K? ms\)/);
  await expect(page.getByTestId("trend-chart-api")).toContainText("p99 (ms)");
  await page.screenshot({ path: testInfo.outputPath("trends.png"), fullPage: true });
});

test("an alert on a charted metric is a marker on its chart; tapping the marker names the rule", async ({ page }, testInfo) => {
  const stamp = `${testInfo.project.name}_${Date.now().toString(36)}`;
  const name = `E2E slow-query burst ${stamp}`;
  await signIn(page);
  // A rule on the database chart's slow-queries line, narrowed by a tag only this test posts, so
  // it fires on this test's sample and nobody else's.
  const created = await page.request.post(url("/api/admin/monitoring/rules"), {
    data: { name, metric: "db.queries.slow", service: "postgres", tags: { e2e: stamp }, aggregation: "last", window: "1m", operator: ">", threshold: 1, for: "0s", severity: "warning" },
  });
  expect(created.status(), await created.text()).toBe(201);
  const ruleId = ((await created.json()) as { rule: { id: string } }).rule.id;
  try {
    await ingest(page, [{ metric: "db.queries.slow", service: "postgres", tags: { e2e: stamp }, value: 2, timestamp: Date.now() }]);
    await expect
      .poll(
        async () => {
          const response = await page.request.get(url("/api/admin/monitoring/alerts/active"));
          const { alerts } = (await response.json()) as { alerts: { ruleId: string }[] };
          return alerts.some((a) => a.ruleId === ruleId);
        },
        { timeout: 15_000 },
      )
      .toBe(true);

    await openTrendsPage(page);
    await page.getByTestId("period-24h").click();
    const marker = page.getByTestId("trend-chart-database").getByRole("button", { name: new RegExp(`^warning alert “${name}” at .*, still open$`) });
    await expect(marker).toBeVisible();
    // Not on the charts of other metrics.
    await expect(page.getByTestId("trend-chart-payments").getByRole("button", { name: new RegExp(name) })).toHaveCount(0);
    await marker.click();
    await expect(marker).toHaveAttribute("aria-pressed", "true");
    await expect(page.getByTestId("trend-chart-database").getByTestId("marker-detail")).toContainText(`warning alert “${name}”`);
    await expectNoSidewaysScroll(page);
  } finally {
    await page.request.delete(url(`/api/admin/monitoring/rules/${ruleId}`));
  }
});

test("an admin watches a series from the trends page, with the API's field errors, and removes it", async ({ page }, testInfo) => {
  // Each project (desktop, phone) runs against the same server: names must not collide.
  const stamp = `${testInfo.project.name}_${Date.now().toString(36)}`;
  const metric = `e2e.trends.queue_${stamp}`;
  const label = `E2E queue ${stamp}`;
  await signIn(page);
  await openTrendsPage(page);
  const form = page.getByTestId("watch-form");

  await form.getByLabel("Metric", { exact: true }).fill("9 not a metric");
  await form.getByRole("button", { name: "Watch" }).click();
  await expect(form.getByTestId("watch-error-metric")).toBeVisible();
  await expect(form.getByLabel("Metric", { exact: true })).toHaveAttribute("aria-invalid", "true");

  await form.getByLabel("Metric", { exact: true }).fill(metric);
  await form.getByLabel("Statistic", { exact: true }).selectOption("p95");
  await form.getByLabel("Label", { exact: true }).fill(label);
  await form.getByRole("button", { name: "Watch" }).click();
  await expect(page.getByTestId("watches-notice")).toHaveText(`Watching ${label}`);
  await expect(form.getByTestId("watch-error-metric")).toHaveCount(0);

  const row = page.locator(`[data-testid="watch-row"][data-metric="${metric}"]`);
  await expect(row.getByTestId("watch-label")).toHaveText(label);
  await expect(row).toContainText("p95");
  await expect(row.getByTestId("watch-learning")).toHaveText("learning: 0 h of 2 days");
  await expectNoSidewaysScroll(page);

  await row.getByRole("button", { name: `Stop watching ${label}` }).click();
  await expect(row).toHaveCount(0);
  await expect(page.getByTestId("watches-notice")).toHaveText(`Stopped watching ${label}`);
});

interface AnomalyJson {
  metric: string;
  explanation: string;
  endedAt: string | null;
}

test("three days of a daily pattern then a 5× spike: the detector explains the anomaly on the trends page", async ({ page }, testInfo) => {
  // Up to a minute for the rollup and detection run, plus catching up on three days.
  test.setTimeout(150_000);
  const stamp = `${testInfo.project.name}_${Date.now().toString(36)}`;
  const metric = `e2e.anomaly.orders_${stamp}`;
  const label = `E2E orders ${stamp}`;
  await signIn(page);

  // The backdated samples first, then the watch: samples more than a minute old are marked for the
  // rollup, and detection waits for marked minutes, so the watch's catch-up judges them with their
  // data whenever the minute turns. (Watching first, a run between the two would judge them empty.)
  // One sample a minute for three days (the detector learns for two), in one batch; the last hour 5×.
  const end = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS - 2 * MINUTE_MS;
  const samples: object[] = [];
  let seed = 7;
  const noise = () => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5;
  for (let t = end - 3 * 1440 * MINUTE_MS; t <= end; t += MINUTE_MS) {
    const daily = 100 + 40 * Math.sin((2 * Math.PI * ((t / MINUTE_MS) % 1440)) / 1440) + 10 * noise();
    samples.push({ metric, service: "shop", value: t > end - 60 * MINUTE_MS ? 5 * daily : daily, timestamp: t });
  }
  await ingest(page, samples);

  const watched = await page.request.post(url("/api/admin/monitoring/anomalies/watches"), { data: { metric, label } });
  expect(watched.status()).toBe(201);
  const watchId = ((await watched.json()) as { watch: { id: string } }).watch.id;
  try {
    await expect
      .poll(
        async () => {
          const response = await page.request.get(url("/api/admin/monitoring/anomalies?period=24h"));
          const { anomalies } = (await response.json()) as { anomalies: AnomalyJson[] };
          return anomalies.filter((a) => a.metric === metric).length;
        },
        { timeout: 120_000, intervals: [3_000] },
      )
      .toBe(1);

    await page.goto(url("/trends"));
    const anomaly = page.locator(`[data-testid="anomaly-row"][data-metric="${metric}"]`);
    await expect(anomaly.getByTestId("anomaly-explanation")).toHaveText(new RegExp(`^${label} \\d+(\\.\\d)?× the usual`));
    // The detector gets used to a level that stays: the episode may already have ended.
    await expect(anomaly.getByTestId("anomaly-duration")).toHaveText(/^(ongoing|for \d+ min|for \d+ h( \d+ min)?)$/);
    await expect(anomaly.getByTestId("anomaly-score")).toHaveText(/^score (0|1)\.\d\d$/);
    const watch = page.locator(`[data-testid="watch-row"][data-watch-id="${watchId}"]`);
    await expect(watch.getByTestId("watch-learning")).toHaveText("learned");
    await expect(watch.getByTestId("watch-score")).toHaveText(/^last score [01]\.\d\d$/);
    await expectNoSidewaysScroll(page);
    await page.screenshot({ path: testInfo.outputPath("trends-anomaly.png"), fullPage: true });
  } finally {
    await page.request.delete(url(`/api/admin/monitoring/anomalies/watches/${watchId}`));
  }
});
