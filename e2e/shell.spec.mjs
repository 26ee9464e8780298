// The app shell: start-up, sidebar, home page, navigation, theme, 404.
// Every test signs in as guest first (e2e/helpers.mjs).
import assert from "node:assert/strict";
import { sel, signIn } from "./helpers.mjs";

const open = signIn;

export const tests = [
  {
    name: "app loads without page errors",
    fn: async (t) => {
      await open(t, "/");
      await t.page.waitForSelector(sel("page-heading"));
      assert.match(await t.page.title(), /Butler Portal/);
    },
  },
  {
    name: "sidebar shows the home nav item",
    fn: async (t) => {
      await open(t, "/");
      const nav = t.page.locator(`${sel("sidebar")} ${sel("nav-home")}`);
      await nav.waitFor();
      assert.equal((await nav.innerText()).trim(), "Home");
      assert.equal(await nav.getAttribute("aria-current"), "page");
    },
  },
  {
    name: "home lists installed plugins and health ok",
    fn: async (t) => {
      await open(t, "/");
      await t.page.waitForSelector(`${sel("installed-plugins")} ${sel("plugin-home")}`);
      const health = t.page.locator(sel("health-status"));
      await health.waitFor();
      assert.equal((await health.innerText()).trim(), "ok");
      const version = await t.page.locator(sel("portal-version")).innerText();
      assert.match(version, /^\d+\.\d+\.\d+/);
    },
  },
  {
    name: "clicking a nav item navigates client-side",
    fn: async (t) => {
      await open(t, "/some/client/route");
      await t.page.waitForSelector(sel("not-found"));
      await t.page.evaluate(() => (window.__noReload = true));
      await t.page.click(sel("nav-home"));
      await t.page.waitForSelector(sel("installed-plugins"));
      assert.equal(new URL(t.page.url()).pathname, "/");
      assert.equal(await t.page.locator(sel("not-found")).count(), 0);
      assert.equal(await t.page.evaluate(() => window.__noReload), true, "page reloaded");
    },
  },
  {
    name: "theme toggle flips data-theme and persists",
    fn: async (t) => {
      await t.page.emulateMedia({ colorScheme: "light" });
      await open(t, "/");
      const theme = () => t.page.evaluate(() => document.documentElement.dataset.theme);
      assert.equal(await theme(), "light");
      await t.page.click(sel("theme-toggle"));
      await t.page.waitForFunction(() => document.documentElement.dataset.theme === "dark");
      await t.page.reload();
      await t.page.waitForSelector(sel("sidebar")); // silent sign-in from the cookie
      assert.equal(await theme(), "dark");
      await t.page.click(sel("theme-toggle"));
      await t.page.waitForFunction(() => document.documentElement.dataset.theme === "light");
    },
  },
  {
    name: "unknown route shows the 404 page",
    fn: async (t) => {
      await open(t, "/some/client/route");
      const nf = t.page.locator(sel("not-found"));
      await nf.waitFor();
      assert.match(await nf.innerText(), /Page not found/);
      assert.match(await nf.innerText(), /\/some\/client\/route/);
      await t.page.click(sel("go-home"));
      await t.page.waitForSelector(sel("installed-plugins"));
    },
  },
];
