import { formatObserved, statusLabel } from "./format.ts";
import type { RunSummary } from "./types.ts";

/** Escape text for XML content and attributes, dropping characters XML 1.0 cannot carry. */
export function xmlEscape(value: unknown): string {
  return String(value ?? "")
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/**
 * JUnit XML for CI (`--gate`): one testsuite named after the scenario, one testcase per threshold.
 * A failed threshold carries a `<failure type="threshold_failed">`, a threshold that was not measured
 * a `<failure type="not_measured">` with the reason (it fails the gate, it is never skipped). When the
 * run itself is invalid or aborted, one more testcase, `run validity`, fails with the reasons, so a
 * CI view never shows green for a run whose exit code is not 0.
 */
export function renderJUnit(summary: RunSummary): string {
  const suite = summary.scenario;
  const classname = `harness.${suite}`;
  const cases: string[] = [];
  let failures = 0;
  for (const t of summary.verdict.thresholds) {
    const name = `${t.metric}: ${t.expression}`;
    const observed = formatObserved(t);
    let body = "";
    if (t.status === "fail") {
      failures++;
      const message = `${t.metric} ${t.expression} failed: observed ${observed}`;
      body = `<failure type="threshold_failed" message="${xmlEscape(message)}">${xmlEscape(
        [message, t.reason ?? ""].filter(Boolean).join("\n"),
      )}</failure>`;
    } else if (t.status === "not_measured") {
      failures++;
      const message = `${t.metric} ${t.expression} not measured: ${t.reason ?? "no samples"}`;
      body = `<failure type="not_measured" message="${xmlEscape(message)}">${xmlEscape(message)}</failure>`;
    } else {
      body = `<system-out>${xmlEscape(`${statusLabel(t.status)}: observed ${observed}`)}</system-out>`;
    }
    cases.push(
      `    <testcase classname="${xmlEscape(classname)}" name="${xmlEscape(name)}" time="0">${body}</testcase>`,
    );
  }
  const v = summary.verdict;
  if (v.status === "invalid" || v.status === "aborted") {
    failures++;
    const reasons = [...v.invalidReasons, ...summary.load.invalidReasons];
    const message = `run ${v.status}: ${reasons.length > 0 ? reasons.join("; ") : summary.exitMeaning}`;
    cases.push(
      `    <testcase classname="${xmlEscape(classname)}" name="run validity" time="0"><failure type="run_${xmlEscape(v.status)}" message="${xmlEscape(message)}">${xmlEscape(message)}</failure></testcase>`,
    );
  }
  const timeS = (summary.durationMs / 1000).toFixed(3);
  const timestamp = summary.startedAt.replace(/\.\d+Z$|Z$/, "");
  const props = [
    ["harness.runId", summary.runId],
    ["harness.verdict", v.status],
    ["harness.exitCode", String(summary.exitCode)],
    ["harness.composeFile", summary.composeFile],
    ["harness.version", summary.harnessVersion],
  ]
    .map(([k, val]) => `      <property name="${xmlEscape(k)}" value="${xmlEscape(val)}"/>`)
    .join("\n");
  const count = cases.length;
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="harness" tests="${count}" failures="${failures}" errors="0" time="${timeS}">
  <testsuite name="${xmlEscape(suite)}" tests="${count}" failures="${failures}" errors="0" skipped="0" time="${timeS}" timestamp="${xmlEscape(timestamp)}">
    <properties>
${props}
    </properties>
${cases.join("\n")}
  </testsuite>
</testsuites>
`;
}
