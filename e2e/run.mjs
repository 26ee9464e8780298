// Minimal e2e runner: runs the tests exported by every e2e/*.spec.mjs against
// process.env.BASE_URL with headless Chromium (playwright-core, no test runner).
//
//   BASE_URL=http://127.0.0.1:7007 node e2e/run.mjs [name-filter]
//
// Each spec exports `tests`: an array of { name, fn } where fn receives
// { page, context, baseUrl, url(path), ignoreConsole(regex) }. Every test gets a fresh
// browser context; page errors and console errors fail the test (a wasm start-up
// failure only shows up as a missing element plus such an error). On failure a
// screenshot is saved to e2e/screenshots/<test>.png.
import { chromium } from "playwright-core";
import { readdirSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const baseUrl = (process.env.BASE_URL || "http://127.0.0.1:7007").replace(/\/$/, "");
const filter = process.argv[2] || "";
const timeoutMs = Number(process.env.E2E_TIMEOUT_MS || 30000);
const shotDir = join(here, "screenshots");

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
  ],
});

const specs = readdirSync(here).filter((f) => f.endsWith(".spec.mjs")).sort();
let passed = 0;
let failed = 0;
for (const file of specs) {
  const mod = await import(pathToFileURL(join(here, file)).href);
  for (const { name, fn } of mod.tests || []) {
    if (filter && !name.includes(filter)) continue;
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(10000);
    const errors = [];
    const ignored = [];
    page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(`console.error: ${m.text()}`);
    });
    const t = {
      page,
      context,
      baseUrl,
      url: (path) => baseUrl + path,
      ignoreConsole: (re) => ignored.push(re),
    };
    try {
      await Promise.race([
        fn(t),
        new Promise((_, rej) => setTimeout(() => rej(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs)),
      ]);
      const real = errors.filter((e) => !ignored.some((re) => re.test(e)));
      if (real.length) throw new Error(real.join(" | "));
      passed++;
      console.log(`PASS ${name}`);
    } catch (e) {
      failed++;
      const reason = (e && e.message ? e.message : String(e)).split("\n")[0];
      console.log(`FAIL ${name}: ${reason}`);
      const other = errors.filter((x) => !reason.includes(x));
      if (other.length) console.log(`     page errors: ${other.join(" | ")}`);
      try {
        mkdirSync(shotDir, { recursive: true });
        const file = join(shotDir, `${name.replace(/[^a-z0-9-]+/gi, "-")}.png`);
        await page.screenshot({ path: file, fullPage: true });
        console.log(`     screenshot: ${file}`);
      } catch {
        // page may be gone
      }
    } finally {
      await context.close();
    }
  }
}
await browser.close();
console.log(`${failed ? "FAILED" : "OK"}: ${passed} passed, ${failed} failed (${baseUrl})`);
process.exit(failed || passed === 0 ? 1 : 0);
