// A visitor's journey in a real Chromium: arrive from a tracked link, read a page, fill in a
// form. Driven by tests/test_e2e_forms.py, which starts the site and the lead service.
// Usage: node form_journey.mjs '<json plan>'  ->  prints a JSON report on stdout.
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
const report = { steps: [] };
try {
  const context = await browser.newContext({ javaScriptEnabled: plan.javascript });
  const page = await context.newPage();
  page.on("console", (message) => report.steps.push(`console ${message.type()}: ${message.text()}`));

  await page.goto(plan.site + plan.arrival);
  report.steps.push(`arrived at ${page.url()}`);
  await page.goto(plan.site + plan.reading);
  report.steps.push(`read ${page.url()}`);
  await page.goto(plan.site + plan.form_page);
  const opened = Date.now();
  const form = page.locator(`form[data-leadpress-form="${plan.form}"]`);

  if (plan.javascript) {
    // Inline checks from the form's own rules: an empty submit shows errors, announced.
    await form.locator("button[type=submit]").click();
    const email = form.locator('input[name="email"]');
    report.invalid_after_empty_submit = await email.getAttribute("aria-invalid");
    report.email_error = await form.locator(`#${await email.getAttribute("id")}-error`).innerText();
    report.focused_after_empty_submit = await page.evaluate(() => document.activeElement.name);
  }

  // Keyboard only, the way many visitors fill in forms.
  await form.locator('input[name="email"]').focus();
  for (const [name, value] of plan.values) {
    const field = form.locator(`[name="${name}"]`);
    const type = await field.evaluate((element) => element.type);
    if (type === "checkbox") {
      await field.focus();
      await page.keyboard.press("Space");
    } else if (type === "select-one") {
      await field.selectOption(value);
    } else {
      await field.focus();
      await page.keyboard.type(value);
    }
  }
  // A person takes a moment; the service refuses forms filled faster than a bot would.
  const wait = plan.min_fill_ms - (Date.now() - opened);
  if (wait > 0) await page.waitForTimeout(wait);

  if (plan.fail_first_send) {
    // The connection drops after the service has the lead but before the answer arrives:
    // the script must queue and retry with the same key, and the service store one lead.
    let dropped = false;
    await page.route("**/v1/forms/**", async (route) => {
      if (dropped || route.request().method() !== "POST") return route.continue();
      dropped = true;
      const answer = await route.fetch();
      report.first_send_status = answer.status();
      await route.abort("internetdisconnected");
    });
  }
  await form.locator("button[type=submit]").focus();
  if (plan.javascript && plan.fail_first_send) {
    await page.keyboard.press("Enter");
    await page.waitForFunction(
      () => (JSON.parse(localStorage.getItem("leadpress.queue") || "[]")).length === 1,
    );
    report.queued_status = await form.locator(".lp-form__status").innerText();
    await page.waitForFunction(
      () => (JSON.parse(localStorage.getItem("leadpress.queue") || "[]")).length === 0,
      null,
      { timeout: 30000 },
    );
    report.queue_emptied = true;
  } else if (plan.javascript) {
    await page.keyboard.press("Enter");
    if (plan.expect_thank_you_page) {
      await page.waitForURL((url) => url.pathname.endsWith(plan.expect_thank_you_page));
    } else {
      await page.waitForFunction(
        (selector) => document.querySelector(selector)?.textContent.length > 2,
        `form[data-leadpress-form="${plan.form}"] .lp-form__status`,
      );
      report.status = await form.locator(".lp-form__status").innerText();
    }
  } else {
    await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
  }
  report.final_url = page.url();
  report.final_text = (await page.locator("body").innerText()).slice(0, 500);
  report.stored_attribution = await page.evaluate(() => localStorage.getItem("leadpress.attribution"));
} catch (error) {
  report.error = String(error.stack || error);
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(report));
