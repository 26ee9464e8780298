// The Butler plugin against the in-process demo cluster (`butler-portal --demo`): the
// connection status, clusters listed as the signed-in user (impersonation), cluster
// entities in the catalog, IdentityProvider sign-in providers, the header's demo badge and
// the clusters pages.
import assert from "node:assert/strict";
import { authHeaders, guestToken, sel, signIn } from "./helpers.mjs";

async function getJson(t, path, token) {
  const res = await fetch(t.url(path), { headers: token ? authHeaders(token) : { accept: "application/json" } });
  return { status: res.status, body: await res.json().catch(() => undefined) };
}

async function waitFor(check, what, ms = 15000) {
  const until = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export const tests = [
  {
    name: "api: butler demo cluster: status, clusters as the guest, catalog entities, sign-in provider",
    api: true,
    fn: async (t) => {
      const token = await guestToken(t);
      const st = await getJson(t, "/api/butler/status", token);
      assert.equal(st.status, 200);
      assert.equal(st.body.connected, true, JSON.stringify(st.body));
      assert.equal(st.body.demo, true);
      assert.equal((await getJson(t, "/api/butler/status")).status, 401);

      // The guest is in payments-operators (demo catalog), a group of the payments Team.
      const list = await waitFor(async () => {
        const r = await getJson(t, "/api/butler/clusters", await guestToken(t));
        return r.status === 200 && r.body.items.length > 0 ? r.body : null;
      }, "the guest's clusters");
      const names = list.items.map((c) => `${c.namespace}/${c.name}`);
      assert.ok(names.includes("payments/payments-prod"), names.join());
      assert.ok(!names.includes("search/search-prod"), names.join());
      assert.equal(list.impersonatedAs, "user:development/guest");

      const entity = await waitFor(async () => {
        const r = await getJson(t, "/api/catalog/entities/by-name/resource/default/payments-prod", token);
        return r.status === 200 ? r.body : null;
      }, "the payments-prod Resource");
      assert.equal(entity.spec.type, "kubernetes-cluster");
      assert.equal(entity.spec.owner, "group:default/payments");
      assert.equal(entity.metadata.annotations["butler.butlerlabs.dev/cluster"], "payments/payments-prod");

      const providers = await waitFor(async () => {
        const r = await getJson(t, "/api/auth/providers");
        return r.body.providers.find((p) => p.id === "acme-sso");
      }, "the acme-sso sign-in provider");
      assert.equal(providers.title, "ACME SSO");

      const ready = await getJson(t, "/readyz");
      const k = ready.body.checks.find((c) => c.name === "kubernetes");
      assert.equal(k.status, "ok", JSON.stringify(k));
    },
  },
  {
    name: "butler: demo badge in the header, clusters page with phases, cluster page",
    fn: async (t) => {
      await signIn(t, "/");
      const badge = t.page.locator(sel("demo-cluster-badge"));
      await badge.waitFor();
      assert.equal((await badge.innerText()).trim(), "Demo cluster");
      await t.page.click(sel("nav-butler"));
      await t.page.waitForSelector(sel("cluster-row"));
      const row = t.page.locator(`${sel("cluster-row")}[data-cluster="payments/payments-prod"]`);
      await row.waitFor();
      assert.equal(await row.locator(sel("cluster-phase")).getAttribute("data-phase"), "Ready");
      await row.locator("a").first().click();
      await t.page.waitForSelector(sel("cluster-detail"));
      assert.equal((await t.page.locator(sel("page-heading")).innerText()).trim(), "payments-prod");
    },
  },
];
