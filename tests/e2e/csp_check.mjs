// Loads pages in a real Chromium and reports every Content-Security-Policy violation and
// console error, so a test can tell that the site's _headers let its own pages work.
// Driven by tests/test_publish.py, which serves the site with its _headers applied.
// Usage: node csp_check.mjs '<json plan>'  ->  prints a JSON report on stdout.
import { chromium } from "playwright-core";

const plan = JSON.parse(process.argv[2]);
const browser = await chromium.launch({
  executablePath: plan.chromium || "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
const report = { pages: {} };
try {
  const context = await browser.newContext();
  for (const url of plan.urls) {
    const page = await context.newPage();
    const seen = { violations: [], errors: [], csp_header: null, search_results: null };
    await page.addInitScript(() => {
      window.__violations = [];
      document.addEventListener("securitypolicyviolation", (event) => {
        window.__violations.push(`${event.violatedDirective} blocked ${event.blockedURI}`);
      });
    });
    page.on("console", (message) => {
      if (message.type() === "error") seen.errors.push(message.text());
    });
    page.on("pageerror", (error) => seen.errors.push(`uncaught: ${error.message}`));
    page.on("response", (response) => {
      if (response.status() >= 400) seen.errors.push(`${response.status()} ${response.url()}`);
    });
    const response = await page.goto(url, { waitUntil: "load" });
    seen.csp_header = (await response.allHeaders())["content-security-policy"] || null;
    if (plan.search_query && url === plan.urls[0]) {
      // Site search (Pagefind) loads its index as WebAssembly: it must work under the CSP.
      await page.locator("pagefind-modal-trigger button").click();
      await page.locator("pagefind-modal input[type=search]").fill(plan.search_query);
      await page.waitForSelector("pagefind-modal .pf-result", { timeout: 15000 });
      seen.search_results = await page.locator("pagefind-modal .pf-result").count();
    }
    await page.waitForTimeout(300); // late violations (workers, lazy images) arrive after load
    seen.violations = await page.evaluate(() => window.__violations);
    report.pages[url] = seen;
    await page.close();
  }
} catch (error) {
  report.error = String(error && error.stack ? error.stack : error);
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(report));
