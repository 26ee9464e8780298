// Minimal e2e runner: runs the tests exported by every e2e/*.spec.mjs against
// process.env.BASE_URL with headless Chromium (playwright-core, no test runner).
//
//   BASE_URL=http://127.0.0.1:7007 node e2e/run.mjs [name-filter]
//
// Each spec exports `tests`: an array of { name, fn, api? }.
// * Browser tests: fn receives { page, context, baseUrl, url(path), ignoreConsole(regex) }.
//   Every test gets a fresh browser context; page errors and console errors fail the test
//   (a wasm start-up failure only shows up as a missing element plus such an error). On
//   failure a screenshot is saved to e2e/screenshots/<test>.png.
// * API tests (`api: true`): fn receives { baseUrl, url(path), engine } and uses fetch.
// E2E_API_ONLY=1 runs only the API tests (xtask does this for the second database
// engine). Prints PASS/FAIL per test and ends with `e2e summary: N passed, N failed`.
import { chromium } from "playwright-core";
import { readdirSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const baseUrl = (process.env.BASE_URL || "http://127.0.0.1:7007").replace(/\/$/, "");
const filter = process.argv[2] || "";
const timeoutMs = Number(process.env.E2E_TIMEOUT_MS || 30000);
const shotDir = join(here, "screenshots");

const apiOnly = process.env.E2E_API_ONLY === "1";
const engine = process.env.E2E_ENGINE || "";

const specs = readdirSync(here).filter((f) => f.endsWith(".spec.mjs")).sort();
const selected = [];
for (const file of specs) {
  const mod = await import(pathToFileURL(join(here, file)).href);
  for (const test of mod.tests || []) {
    if (filter && !test.name.includes(filter)) continue;
    if (apiOnly && !test.api) continue;
    selected.push(test);
  }
}

function withTimeout(promise) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, rej) => {
      timer = setTimeout(() => rej(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
}

const firstLine = (e) => (e && e.message ? e.message : String(e)).split("\n")[0];

const browser = selected.some((t) => !t.api) ? await launch() : null;
let passed = 0;
let failed = 0;
for (const test of selected) {
  if (test.api) {
    try {
      await withTimeout(test.fn({ baseUrl, url: (path) => baseUrl + path, engine }));
      passed++;
      console.log(`PASS ${test.name}`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${test.name}: ${firstLine(e)}`);
    }
  } else {
    await runBrowserTest(test);
  }
}
if (browser) await browser.close();
console.log(`e2e summary: ${passed} passed, ${failed} failed (${baseUrl}${apiOnly ? ", API only" : ""})`);
process.exit(failed || (passed === 0 && !apiOnly) ? 1 : 0);

function launch() {
  return chromium.launch({
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
}

async function runBrowserTest({ name, fn }) {
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
    engine,
    url: (path) => baseUrl + path,
    ignoreConsole: (re) => ignored.push(re),
  };
  try {
    await withTimeout(fn(t));
    const real = errors.filter((e) => !ignored.some((re) => re.test(e)));
    if (real.length) throw new Error(real.join(" | "));
    passed++;
    console.log(`PASS ${name}`);
  } catch (e) {
    failed++;
    const reason = firstLine(e);
    console.log(`FAIL ${name}: ${reason}`);
    const other = errors.filter((x) => !reason.includes(x));
    if (other.length) console.log(`     page errors: ${other.join(" | ")}`);
    try {
      mkdirSync(shotDir, { recursive: true });
      const file = join(shotDir, `${name.replace(/[^a-z0-9-]+/gi, "-")}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.log(`     screenshot: ${file}`);
    } catch {
      // the page may be gone
    }
  } finally {
    await context.close();
  }
}
