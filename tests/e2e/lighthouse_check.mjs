// Lighthouse scores of built pages, in the system's Chromium, as a phone on a slow network
// (Lighthouse's default: mobile form factor, simulated throttling).
// Each page is measured `runs` times and Lighthouse's own median run is reported, as its
// documentation advises: one run varies with whatever else the machine is doing.
// Usage: node lighthouse_check.mjs '<json: {chromium, urls: [...], runs}>'  ->  JSON on stdout:
// {url: {scores: {seo, accessibility, "best-practices", performance}, failing: [...],
//        performance_runs: [...]}}.
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import { computeMedianRun } from "lighthouse/core/lib/median-run.js";

const CATEGORIES = ["seo", "accessibility", "best-practices", "performance"];
const plan = JSON.parse(process.argv[2]);
const chrome = await chromeLauncher.launch({
  chromePath: plan.chromium || process.env.CHROME_PATH || "/usr/bin/chromium",
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
    "--no-first-run", "--disable-background-networking", "--disable-component-update",
    "--disable-sync"],
  logLevel: "silent",
});
const report = {};
try {
  for (const url of plan.urls) {
    const runs = [];
    for (let run = 0; run < (plan.runs || 1); run++) {
      const result = await lighthouse(url, {
        port: chrome.port,
        output: "json",
        logLevel: "error",
        onlyCategories: CATEGORIES,
      });
      runs.push(result.lhr);
    }
    const lhr = computeMedianRun(runs);
    const scores = {};
    const failing = [];
    for (const id of CATEGORIES) {
      const category = lhr.categories[id];
      scores[id] = category.score === null ? null : Math.round(category.score * 100);
      for (const ref of category.auditRefs) {
        const audit = lhr.audits[ref.id];
        if (ref.weight > 0 && audit.score !== null && audit.score < 0.9) {
          failing.push({
            category: id,
            id: ref.id,
            title: audit.title,
            score: audit.score,
            value: audit.displayValue || "",
          });
        }
      }
    }
    report[url] = {
      scores,
      failing,
      performance_runs: runs.map((r) => Math.round((r.categories.performance.score || 0) * 100)),
      // Lighthouse's measure of this machine's CPU speed at the time (a desktop: ~1000-2000).
      benchmark_index: Math.round(lhr.environment.benchmarkIndex),
      runtimeError: lhr.runtimeError ? lhr.runtimeError.message : null,
      warnings: lhr.runWarnings,
    };
  }
} finally {
  await chrome.kill();
}
process.stdout.write(JSON.stringify(report));
