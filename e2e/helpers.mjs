// Shared helpers for e2e specs. Every app page is behind sign-in: start a browser test
// with `await signIn(t, "/some/path")` (guest sign-in, waits for the signed-in shell).
//
//   import { signIn, sel } from "./helpers.mjs";
//   fn: async (t) => { await signIn(t, "/catalog"); ... }
//
// For API tests, `await guestToken(t)` returns a bearer token and `authHeaders(token)`
// the headers to send with fetch.

/** `[data-testid="<id>"]`. */
export const sel = (id) => `[data-testid="${id}"]`;

/**
 * Open `path` (default `/`), sign in as guest on the sign-in page and wait until the
 * signed-in app shows (sidebar and user menu). Lands on `path`.
 */
export async function signIn(t, path = "/") {
  await t.page.goto(t.url(path));
  await t.page.waitForSelector(`${sel("sign-in-page")}, ${sel("user-menu")}`);
  if (await t.page.locator(sel("sign-in-page")).count()) {
    await t.page.click(sel("sign-in-guest"));
  }
  await t.page.waitForSelector(sel("user-menu"));
  await t.page.waitForSelector(sel("sidebar"));
}

/** Sign in as guest through the API (no browser); returns the bearer token. */
export async function guestToken(t) {
  const res = await fetch(t.url("/api/auth/guest/refresh"), {
    headers: { "x-requested-with": "XMLHttpRequest", accept: "application/json" },
  });
  if (!res.ok) throw new Error(`guest refresh: ${res.status} ${await res.text()}`);
  return (await res.json()).backstageIdentity.token;
}

/** Headers for an authenticated JSON API call. */
export function authHeaders(token, extra = {}) {
  return { authorization: `Bearer ${token}`, accept: "application/json", ...extra };
}
