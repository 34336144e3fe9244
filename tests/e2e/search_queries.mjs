// Type queries into the site's real search box in Chromium and report the results in the
// order the visitor sees them. Driven by tests/test_search_zh.py, which builds and serves the site.
// Usage: node search_queries.mjs '<json plan>'  ->  prints a JSON report on stdout:
//   {"results": {"<query>": [top five {"title", "href"}]}, "console": [...], ...}
// Plan: {"chromium": path, "page": URL of the page to search from, "queries": [...],
//        "deep_link": optional query to open the page with as ?q= (reported as "deep_link")}
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
const report = { results: {}, console: [], requests: [] };

function snapshot() {
  const summary = document.querySelector("pagefind-modal .pf-summary");
  const list = document.querySelector("pagefind-modal .pf-results");
  const results = [...document.querySelectorAll("pagefind-modal .pf-result")].map((item) => {
    const link = item.querySelector("a.pf-result-link");
    return {
      title: (link?.textContent || "").trim(),
      href: link ? new URL(link.getAttribute("href"), document.baseURI).pathname : null,
    };
  });
  return {
    summary: summary ? summary.textContent.trim() : "",
    busy: list ? list.getAttribute("aria-busy") !== "false" : true,
    results,
  };
}

async function readResults(page, query) {
  // Pagefind answers in steps (summary, then each result's title as its fragment loads):
  // read once the summary names the query, the top titles are shown, and nothing changed
  // for half a second.
  const deadline = Date.now() + 20000;
  let previous = null;
  let last = null;
  while (Date.now() < deadline) {
    const state = await page.evaluate(snapshot);
    // Results further down load as they scroll into view: the top five are what counts.
    state.results = state.results.slice(0, 5);
    const shown = !state.busy && state.results.every((r) => r.title && r.href);
    const ready = state.summary.includes(query) && shown;
    if (ready && previous !== null && JSON.stringify(state) === JSON.stringify(previous)) {
      return state.results;
    }
    last = state;
    previous = ready ? state : null;
    await page.waitForTimeout(500);
  }
  throw new Error(`no settled results for ${JSON.stringify(query)}: ${JSON.stringify(last)}`);
}

try {
  const page = await browser.newPage();
  page.on("console", (message) => report.console.push(`${message.type()}: ${message.text()}`));
  page.on("pageerror", (error) => report.console.push(`pageerror: ${error.message}`));
  page.on("request", (request) => report.requests.push(request.url()));
  if (plan.deep_link) {
    // A search engine's sitelinks search box sends visitors to ?q=<their words>.
    const address = new URL(plan.page);
    address.searchParams.set("q", plan.deep_link);
    await page.goto(address.href);
    report.deep_link = await readResults(page, plan.deep_link);
  }
  await page.goto(plan.page);

  // The visitor opens search with the header's search button, then types.
  await page.locator("pagefind-modal-trigger button").click();
  const input = page.locator("pagefind-modal input[type=search]");
  await input.waitFor({ state: "visible" });
  report.dialog_label = await page.locator("pagefind-modal dialog").getAttribute("aria-label");
  for (const query of plan.queries) {
    // Clear first, so that the answer read next cannot be the previous query's.
    await input.fill("");
    await page.waitForFunction(() => !document.querySelector("pagefind-modal .pf-result"));
    await input.fill(query);
    report.results[query] = await readResults(page, query);
  }
} catch (error) {
  report.error = String(error && error.stack ? error.stack : error);
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(report));
