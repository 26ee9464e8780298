// Sign-in, session, profile, API tokens and (when OIDC_PROVIDER_ID is set) a real
// OpenID Connect sign-in against e2e/oidc-provider.mjs.
//
// OIDC env: OIDC_PROVIDER_ID (e.g. `e2e`, configured with title "E2E OIDC"),
// OIDC_LOGIN (a login whose `<login>@butlerlabs.dev` resolves to a catalog User; the
// email's local part matches the User's name, e.g. `alice`).
import assert from "node:assert/strict";
import { sel, signIn } from "./helpers.mjs";

/** Capture the bearer token the SPA sends (the newest one). */
function captureToken(page) {
  const seen = { token: null };
  page.on("request", (req) => {
    const h = req.headers().authorization;
    if (h && h.startsWith("Bearer ")) seen.token = h.slice(7);
  });
  return seen;
}

async function openUserMenu(t) {
  await t.page.click(sel("user-menu"));
  await t.page.waitForSelector(sel("user-menu-items"));
}

export const tests = [
  {
    name: "auth: sign-in page lists the providers and explains guest mode",
    fn: async (t) => {
      await t.page.goto(t.url("/"));
      await t.page.waitForSelector(sel("sign-in-page"));
      const guest = t.page.locator(sel("sign-in-guest"));
      await guest.waitFor();
      assert.match(await guest.innerText(), /Enter as Guest/);
      assert.match(await t.page.locator(sel("guest-explanation")).innerText(), /user:development\/guest/);
      const res = await fetch(t.url("/api/auth/providers"));
      const { providers } = await res.json();
      for (const p of providers) {
        const button = t.page.locator(sel(`sign-in-${p.id}`));
        await button.waitFor();
        if (p.type === "oidc") assert.equal((await button.innerText()).trim(), `Sign in with ${p.title}`);
      }
      assert.equal(await t.page.locator(sel("sidebar")).count(), 0, "app hidden while signed out");
    },
  },
  {
    name: "auth: guest sign-in shows the user in the header, reload keeps the session",
    fn: async (t) => {
      await t.page.goto(t.url("/"));
      await t.page.evaluate(() => (window.__noReload = true));
      await t.page.click(sel("sign-in-guest"));
      const name = t.page.locator(sel("user-name"));
      await name.waitFor();
      assert.equal((await name.innerText()).trim(), "Guest");
      assert.equal(await t.page.evaluate(() => window.__noReload), true, "guest sign-in reloaded the page");
      await t.page.waitForSelector(sel("installed-plugins"));
      await t.page.reload();
      await t.page.waitForSelector(sel("user-menu"));
      assert.equal(await t.page.locator(sel("sign-in-page")).count(), 0);
      await openUserMenu(t);
      assert.equal((await t.page.locator(sel("user-ref")).innerText()).trim(), "user:development/guest");
    },
  },
  {
    name: "auth: sign out returns to sign-in and the old token is rejected",
    fn: async (t) => {
      const seen = captureToken(t.page);
      await signIn(t, "/");
      await t.page.waitForSelector(sel("installed-plugins"));
      assert.ok(seen.token, "the app sent a bearer token");
      const ok = await fetch(t.url("/api/plugins"), { headers: { authorization: `Bearer ${seen.token}` } });
      assert.equal(ok.status, 200);
      await openUserMenu(t);
      await t.page.click(sel("sign-out"));
      await t.page.waitForSelector(sel("sign-in-page"));
      assert.match(await t.page.locator(sel("sign-in-message")).innerText(), /signed out/i);
      assert.equal(await t.page.locator(sel("user-menu")).count(), 0);
      // the session is revoked: the token no longer works (revocations sync within seconds)
      let status = 0;
      for (let i = 0; i < 30; i++) {
        status = (await fetch(t.url("/api/plugins"), { headers: { authorization: `Bearer ${seen.token}` } })).status;
        if (status === 401) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      assert.equal(status, 401, "revoked token still accepted");
      assert.equal((await fetch(t.url("/api/plugins"))).status, 401);
      // a reload stays signed out (no silent guest sign-in after an explicit sign-out)
      await t.page.reload();
      await t.page.waitForSelector(sel("sign-in-page"));
    },
  },
  {
    name: "auth: deep link while signed out lands on the page after sign-in",
    fn: async (t) => {
      await t.page.goto(t.url("/profile"));
      await t.page.waitForSelector(sel("sign-in-page"));
      await t.page.click(sel("sign-in-guest"));
      await t.page.waitForSelector(sel("profile-page"));
      assert.equal(new URL(t.page.url()).pathname, "/profile");
      assert.equal((await t.page.locator(sel("profile-user-ref")).innerText()).trim(), "user:development/guest");
      const refs = t.page.locator(`${sel("ownership-refs")} a`);
      await refs.first().waitFor();
      assert.equal(await refs.first().getAttribute("href"), "/catalog/development/user/guest");
    },
  },
  {
    name: "auth: user menu links to profile and API tokens",
    fn: async (t) => {
      await signIn(t, "/");
      await openUserMenu(t);
      await t.page.click(sel("menu-profile"));
      await t.page.waitForSelector(sel("profile-page"));
      await openUserMenu(t);
      await t.page.click(sel("menu-tokens"));
      await t.page.waitForSelector(sel("api-tokens"));
      assert.equal(new URL(t.page.url()).pathname, "/settings/tokens");
    },
  },
  {
    name: "auth: create an API token (secret shown once), use it, revoke it",
    fn: async (t) => {
      await signIn(t, "/settings/tokens");
      await t.page.waitForSelector(sel("api-tokens"));
      const name = `e2e-${Date.now()}`;
      await t.page.click(sel("create-token"));
      await t.page.waitForSelector(sel("create-token-dialog"));
      // validation: no name
      await t.page.click(sel("create-token-submit"));
      await t.page.waitForSelector(sel("create-token-error"));
      await t.page.fill(sel("token-name"), name);
      await t.page.check(`${sel("token-scope")}[value="catalog:read"]`);
      await t.page.selectOption(sel("token-expiry"), "30");
      await t.page.click(sel("create-token-submit"));
      const secretEl = t.page.locator(sel("token-secret"));
      await secretEl.waitFor();
      const secret = (await secretEl.innerText()).trim();
      assert.match(secret, /^bpt_/);
      // the token works against the API
      const res = await fetch(t.url("/api/auth/v1/userinfo"), { headers: { authorization: `Bearer ${secret}` } });
      assert.equal(res.status, 200, await res.text());
      await t.page.click(sel("token-secret-done"));
      assert.equal(await secretEl.count(), 0);
      // afterwards only the prefix is shown
      const row = t.page.locator(`${sel("tokens-table")} tr[data-testid="token-row"]`, { hasText: name });
      await row.waitFor();
      const prefix = (await row.locator(sel("token-prefix")).innerText()).replace("…", "");
      assert.ok(secret.startsWith(prefix) && prefix.length < secret.length, `prefix ${prefix}`);
      assert.ok(!(await t.page.content()).includes(secret), "secret still in the page");
      assert.match(await row.innerText(), /catalog:read/);
      assert.equal(await row.getAttribute("data-status"), "active");
      // revoke with confirmation
      await row.locator(sel("revoke-token")).click();
      await t.page.waitForSelector(sel("confirm-dialog"));
      await t.page.click(sel("confirm-button"));
      await t.page.waitForFunction(
        (n) => [...document.querySelectorAll('tr[data-testid="token-row"]')].some(
          (r) => r.textContent.includes(n) && r.dataset.status === "revoked"),
        name,
      );
      let status = 0;
      for (let i = 0; i < 30; i++) {
        status = (await fetch(t.url("/api/auth/v1/userinfo"), { headers: { authorization: `Bearer ${secret}` } })).status;
        if (status === 401) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      assert.equal(status, 401, "revoked API token still accepted");
    },
  },
  {
    name: "auth: a 401 triggers one silent refresh; if that fails, sign-in says the session expired",
    fn: async (t) => {
      t.ignoreConsole(/status of 401/);
      await signIn(t, "/settings/tokens");
      await t.page.waitForSelector(sel("api-tokens"));
      // one 401 from an API call: the app refreshes silently and stays signed in
      let refreshes = 0;
      t.page.on("request", (r) => {
        if (r.url().includes("/api/auth/guest/refresh")) refreshes++;
      });
      let failOnce = true;
      await t.page.route("**/api/plugins", async (route) => {
        if (failOnce) {
          failOnce = false;
          await route.fulfill({ status: 401, contentType: "application/json", body: '{"error":{"name":"AuthenticationError","message":"expired"},"response":{"statusCode":401}}' });
        } else {
          await route.continue();
        }
      });
      await t.page.click(sel("nav-home"));
      for (let i = 0; i < 40 && refreshes === 0; i++) await t.page.waitForTimeout(100);
      assert.equal(refreshes, 1, "one silent refresh after the 401");
      await t.page.waitForTimeout(300);
      assert.equal(await t.page.locator(sel("sign-in-page")).count(), 0, "still signed in");
      await t.page.waitForSelector(sel("user-menu"));
      // now every API call and the refresh fail: back to sign-in with a message
      await t.page.route("**/api/auth/guest/refresh", (route) =>
        route.fulfill({ status: 401, contentType: "application/json", body: '{"error":{"name":"AuthenticationError","message":"no session"},"response":{"statusCode":401}}' }));
      await t.page.route("**/api/auth/tokens", (route) =>
        route.fulfill({ status: 401, contentType: "application/json", body: '{"error":{"name":"AuthenticationError","message":"expired"},"response":{"statusCode":401}}' }));
      await t.page.click(sel("nav-auth"));
      await t.page.waitForSelector(sel("sign-in-page"));
      assert.match(await t.page.locator(sel("sign-in-message")).innerText(), /session has expired/i);
      assert.equal(new URL(t.page.url()).pathname, "/settings/tokens", "the requested route is kept");
    },
  },
];

if (process.env.OIDC_PROVIDER_ID) {
  tests.push({
    name: "auth: OpenID Connect sign-in in the browser",
    fn: async (t) => {
      const id = process.env.OIDC_PROVIDER_ID;
      const login = process.env.OIDC_LOGIN || "alice";
      // the provider's development pages load external fonts and a missing favicon
      t.ignoreConsole(/Failed to load resource: (net::ERR_NAME_NOT_RESOLVED|the server responded with a status of 404)/);
      await t.page.goto(t.url("/profile"));
      const button = t.page.locator(sel(`sign-in-${id}`));
      await button.waitFor();
      assert.match(await button.innerText(), /^Sign in with /);
      await button.click();
      // the provider's development login page, then consent
      await t.page.waitForSelector('input[name="login"]');
      await t.page.fill('input[name="login"]', login);
      await t.page.fill('input[name="password"]', "any-password");
      await t.page.click('button[type="submit"]');
      for (let i = 0; i < 3; i++) {
        await t.page.waitForLoadState("domcontentloaded");
        if (new URL(t.page.url()).origin === new URL(t.url("/")).origin) break;
        const consent = t.page.locator('button[type="submit"]');
        if (await consent.count()) await consent.first().click();
      }
      await t.page.waitForSelector(sel("user-menu"), { timeout: 20000 });
      assert.equal(new URL(t.page.url()).pathname, "/profile", "back on the requested page");
      await t.page.waitForSelector(sel("profile-page"));
      assert.equal(
        (await t.page.locator(sel("profile-user-ref")).innerText()).trim(),
        `user:default/${login}`,
      );
      await openUserMenu(t);
      assert.equal((await t.page.locator(sel("user-ref")).innerText()).trim(), `user:default/${login}`);
      // the session survives a reload (silent refresh with the provider's cookie)
      await t.page.reload();
      await t.page.waitForSelector(sel("user-menu"));
    },
  });
}
