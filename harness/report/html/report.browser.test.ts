import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syntheticRun } from "../fixtures/synthetic-run.ts";
import { formatObserved, statusLabel } from "../format.ts";
import { parseSummaryJson } from "../json.ts";
import { writeReports } from "../write.ts";

/** Debian's `chromium` from PATH (installed by scripts/setup-test-tools.sh). */
function findChromium(): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, "chromium");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this PATH entry
    }
  }
  return undefined;
}

const executablePath = findChromium();
// In CI a missing browser is a failure, never a skip: the report must be proven to open.
const required = process.env.HARNESS_REQUIRE_DOCKER === "1" || process.env.CI === "true";
const SCREENSHOT = path.resolve("reports/screenshots/report.png");

interface Loaded {
  page: Page;
  url: string;
  consoleErrors: string[];
  requests: string[];
  dir: string;
}

describe.skipIf(!executablePath && !required)("report.html in headless Chromium", () => {
  let browser: Browser;
  let work: string;

  beforeAll(async () => {
    if (!executablePath) {
      throw new Error("chromium is not on PATH and CI requires it: run scripts/setup-test-tools.sh");
    }
    browser = await chromium.launch({
      executablePath,
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-background-networking", "--disable-gpu", "--no-first-run"],
    });
    work = mkdtempSync(path.join(tmpdir(), "harness-report-"));
  });

  afterAll(async () => {
    await browser?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function open(name: string, run = syntheticRun()): Promise<Loaded> {
    const dir = path.join(work, name);
    await writeReports(dir, { timeline: run.json, summary: run.summary, gate: true });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const consoleErrors: string[] = [];
    const requests: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") consoleErrors.push(`${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => consoleErrors.push(`pageerror: ${e.message}`));
    page.on("dialog", (d) => {
      consoleErrors.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    const url = pathToFileURL(path.join(dir, "report.html")).href;
    page.on("request", (r) => {
      if (r.url() !== url) requests.push(r.url());
    });
    await page.goto(url, { waitUntil: "load" });
    return { page, url, consoleErrors, requests, dir };
  }

  it("loads with no console error and no network request, draws its charts, and matches summary.json", async () => {
    const { page, consoleErrors, requests, dir } = await open("failover");

    // Charts: every request chart has lines with many points, the latency chart its four percentiles.
    for (const id of ["chart-throughput", "chart-error-rate", "chart-latency", "chart-replication-lag"]) {
      const points = await page.$$eval(`#${id} svg path.line`, (paths) =>
        paths.map((p) => (p.getAttribute("d") ?? "").split(/[ML]/).filter(Boolean).length),
      );
      console.log(`${id}: ${points.length} lines, points per line ${points.join(", ")}`);
      expect(points.length).toBeGreaterThan(0);
      expect(Math.max(...points)).toBeGreaterThanOrEqual(30);
    }
    const latencySeries = await page.$$eval("#chart-latency path.line", (ps) => ps.map((p) => p.dataset.series));
    expect(latencySeries).toEqual(["max", "p99", "p90", "p50"]);
    const box = await page.locator("#chart-latency svg.plot").boundingBox();
    expect(box?.width).toBeGreaterThan(800);
    expect(box?.height).toBeGreaterThan(150);

    // Fault window shaded and the leader lane shows the change.
    expect(await page.locator("#chart-latency rect.fault-window").count()).toBe(1);
    const leader = await page.$$eval("#lanes text.seg-label", (ts) => ts.map((t) => t.textContent));
    expect(leader).toEqual(expect.arrayContaining(["db1", "no leader", "db2", "open"]));

    // The SLO table matches summary.json row for row.
    const summary = parseSummaryJson(readFileSync(path.join(dir, "summary.json"), "utf8"));
    const rows = await page.$$eval("#slo tr.slo", (trs) =>
      trs.map((tr) => ({
        metric: tr.children[1]!.textContent,
        expression: tr.children[2]!.textContent,
        status: tr.querySelector(".badge")!.textContent,
        observed: tr.children[3]!.textContent,
        detail: tr.children[4]!.textContent,
        highlighted: tr.ownerDocument.defaultView!.getComputedStyle(tr.children[1]!).backgroundColor,
      })),
    );
    expect(rows.map(({ highlighted: _, ...r }) => r)).toEqual(
      summary.verdict.thresholds.map((t) => ({
        metric: t.metric,
        expression: t.expression,
        status: statusLabel(t.status),
        observed: formatObserved(t),
        detail: t.reason ?? "",
      })),
    );
    // A failing row stands out from a passing one.
    const failRow = rows[summary.verdict.thresholds.findIndex((t) => t.status === "fail")]!;
    const passRow = rows[summary.verdict.thresholds.findIndex((t) => t.status === "pass")]!;
    expect(failRow.highlighted).not.toBe(passRow.highlighted);
    expect(await page.locator("#verdict .word").textContent()).toBe("FAIL");

    // Hover shows the interval's figures.
    await page.locator("#chart-latency rect.hover").nth(25).hover();
    const tip = await page.locator("#tip").textContent();
    expect(await page.locator("#tip").isVisible()).toBe(true);
    expect(tip).toMatch(/req\/s[\s\S]*p99/);

    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.mouse.move(0, 0);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    console.log(`report screenshot: ${SCREENSHOT}`);

    expect(consoleErrors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  it("shows scenario text that looks like HTML as text, running nothing and loading nothing", async () => {
    const run = syntheticRun({
      scenario: `evil"><img src="http://127.0.0.1:9/x.png">`,
      description: `</script><script>alert("pwned")</script><iframe src="http://127.0.0.1:9/"></iframe>`,
    });
    run.summary.verdict.thresholds[0]!.reason = `<b onmouseover="alert(1)">bold</b>`;
    const { page, consoleErrors, requests } = await open("hostile", run);
    expect(await page.locator("h1").textContent()).toBe(run.summary.scenario);
    expect(await page.locator("header p.sub").first().textContent()).toBe(run.summary.description);
    expect(await page.locator("img, iframe, b[onmouseover]").count()).toBe(0);
    expect(await page.locator("script").count()).toBe(1);
    expect(consoleErrors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  it("draws a run with no request samples without errors and says so", async () => {
    const run = syntheticRun();
    run.json.series = run.json.series.filter((s) => !s.metric.startsWith("http_"));
    delete run.json.metrics.http_reqs;
    delete run.json.metrics.http_req_duration;
    delete run.json.metrics.http_req_failed;
    const { page, consoleErrors, requests } = await open("empty", run);
    expect(await page.locator("#chart-latency .empty").textContent()).toMatch(/No samples/);
    expect(await page.locator("#lanes rect.seg").count()).toBeGreaterThan(3);
    expect(consoleErrors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });
});
