// The catalog UI (plugins/catalog) against the real catalog backend with the demo
// catalog (`butler-portal --demo`): index, filters, search, pagination, entity page,
// relations graph, YAML and API tabs, register + unregister a location.
import assert from "node:assert/strict";
import { writeFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";

const sel = (id) => `[data-testid="${id}"]`;
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const registerExample = join(repoRoot, "demo", "register-example", "catalog-info.yaml");

// --- API helpers (fetch with a guest token when the portal requires sign-in) ---------

let cachedToken;
async function token(t) {
  if (cachedToken !== undefined) return cachedToken;
  cachedToken = null;
  try {
    const r = await fetch(t.url("/api/auth/guest/refresh"), {
      headers: { "X-Requested-With": "XMLHttpRequest" },
    });
    if (r.ok) cachedToken = (await r.json())?.backstageIdentity?.token ?? null;
  } catch {
    // no auth backend: anonymous
  }
  return cachedToken;
}

async function api(t, method, path, body) {
  const tok = await token(t);
  const headers = { "content-type": "application/json" };
  if (tok) headers.authorization = `Bearer ${tok}`;
  const r = await fetch(t.url(`/api/catalog${path}`), {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}

async function waitFor(check, what, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Delete every location whose target is `target` (cleanup of earlier failed runs). */
async function removeLocation(t, target) {
  const list = await api(t, "GET", "/locations");
  for (const l of list.body || []) {
    if (l.data.target === target) await api(t, "DELETE", `/locations/${l.data.id}`);
  }
}

// --- browser helpers ------------------------------------------------------------------

/** Open `path`; sign in as guest if the portal shows its sign-in page. */
async function open(t, path) {
  await t.page.goto(t.url(path));
  const signIn = t.page.locator(
    `${sel("sign-in-guest")}, ${sel("guest-sign-in")}, button:has-text("Enter as guest"), button:has-text("Continue as guest")`,
  );
  await t.page.waitForSelector(`${sel("sidebar")}, ${sel("sign-in-page")}, ${sel("sign-in")}`);
  if (await signIn.count()) {
    await signIn.first().click();
    await t.page.waitForSelector(sel("sidebar"));
    if (!new URL(t.page.url()).pathname.startsWith(path.split("?")[0])) await t.page.goto(t.url(path));
  }
  await t.page.waitForSelector(sel("sidebar"));
}

const rowNames = (t) =>
  t.page.$$eval(`${sel("catalog-row")}`, (rows) => rows.map((r) => r.dataset.name));

async function rowsSettled(t) {
  await t.page.waitForSelector(`${sel("catalog-row")}, ${sel("empty-state")}, ${sel("error-panel")}`);
  await t.page.waitForFunction(() => !document.querySelector(".catalog-table-card.is-pending"));
}

export const tests = [
  {
    name: "catalog index lists demo components with owners and facet counts",
    fn: async (t) => {
      await open(t, "/catalog");
      await t.page.waitForSelector(sel("catalog-table"));
      await rowsSettled(t);
      const names = await rowNames(t);
      for (const n of ["payments-api", "ledger", "checkout-web"]) assert.ok(names.includes(n), `${n} in ${names}`);
      assert.ok(names.every((n) => !n.startsWith("payments-rest")), "APIs are not components");
      // sorted by name
      assert.deepEqual([...names].sort(), names);
      // owner link and kind counts
      const owner = t.page.locator(`${sel("catalog-row")}[data-name="ledger"] .entity-ref-link`);
      assert.equal((await owner.innerText()).trim(), "payments-operators");
      assert.equal(await owner.getAttribute("href"), "/catalog/default/group/payments-operators");
      await t.page.waitForFunction(
        (s) => /Component \(\d+\)/.test(document.querySelector(s).innerText),
        sel("kind-select"),
      );
      assert.match(await t.page.locator(sel("pagination-label")).innerText(), /^1–\d+ of \d+$/);
    },
  },
  {
    name: "catalog kind switch and facet filter narrow the list and live in the URL",
    fn: async (t) => {
      await open(t, "/catalog");
      await rowsSettled(t);
      await t.page.selectOption(sel("kind-select"), "api");
      await t.page.waitForFunction(() => new URL(location.href).searchParams.get("kind") === "api");
      await t.page.waitForSelector(`${sel("catalog-row")}[data-name="payments-rest"]`);
      await rowsSettled(t);
      const apis = await rowNames(t);
      assert.ok(apis.includes("ledger-grpc") && !apis.includes("ledger"), String(apis));
      // facet filter: type = openapi
      await t.page.waitForSelector(`${sel("filter-type")} option[value="openapi"]`, { state: "attached" });
      await t.page.selectOption(sel("filter-type"), "openapi");
      await t.page.waitForFunction(() => new URL(location.href).searchParams.get("type") === "openapi");
      await t.page.waitForFunction(
        (s) => !document.querySelector(`${s}[data-name="ledger-grpc"]`),
        sel("catalog-row"),
      );
      await rowsSettled(t);
      const openapis = await rowNames(t);
      assert.ok(openapis.includes("payments-rest"), String(openapis));
      assert.ok(openapis.length < apis.length, `${openapis} vs ${apis}`);
      // survives a reload
      await t.page.reload();
      await t.page.waitForSelector(`${sel("catalog-row")}[data-name="payments-rest"]`);
      assert.equal(await t.page.locator(sel("filter-type")).inputValue(), "openapi");
      assert.equal(await t.page.locator(sel("kind-select")).inputValue(), "api");
      assert.deepEqual(await rowNames(t), openapis);
    },
  },
  {
    name: "catalog search narrows by text and sorting flips the order",
    fn: async (t) => {
      await open(t, "/catalog?kind=component");
      await rowsSettled(t);
      await t.page.fill(sel("catalog-search"), "search");
      await t.page.waitForFunction(() => new URL(location.href).searchParams.get("q") === "search");
      await t.page.waitForFunction(
        (s) => !document.querySelector(`${s}[data-name="ledger"]`),
        sel("catalog-row"),
      );
      await rowsSettled(t);
      const names = await rowNames(t);
      assert.ok(names.includes("search-indexer") && names.includes("search-gateway"), String(names));
      await t.page.click(sel("sort-name"));
      await t.page.waitForFunction(() => new URL(location.href).searchParams.get("dir") === "desc");
      await t.page.waitForFunction(
        ([s, first]) => document.querySelector(s)?.dataset.name !== first,
        [sel("catalog-row"), names[0]],
      );
      assert.deepEqual(await rowNames(t), [...names].reverse());
      // nothing found → empty state with a way out
      await t.page.fill(sel("catalog-search"), "zz-no-such-entity");
      await t.page.waitForSelector(sel("empty-state"));
      await t.page.click(`${sel("empty-state")} button`);
      await t.page.waitForSelector(`${sel("catalog-row")}[data-name="ledger"]`);
    },
  },
  {
    name: "catalog pagination moves between pages with cursors",
    fn: async (t) => {
      // 30 extra components in a temporary file location
      const file = join(tmpdir(), `butler-e2e-many-${process.pid}.yaml`);
      const docs = [];
      for (let i = 0; i < 30; i++) {
        docs.push(
          `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: zz-page-${String(i).padStart(2, "0")}\nspec:\n  type: library\n  lifecycle: experimental\n  owner: search-team\n`,
        );
      }
      writeFileSync(file, docs.join("---\n"));
      await removeLocation(t, file);
      const created = await api(t, "POST", "/locations", { type: "file", target: file });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      try {
        await waitFor(async () => {
          const r = await api(t, "GET", "/entities/by-query?filter=kind=component&limit=1");
          return r.body.totalItems > 30;
        }, "the 30 components to be processed");
        await open(t, "/catalog?kind=component");
        await rowsSettled(t);
        const label = t.page.locator(sel("pagination-label"));
        const total = Number((await label.innerText()).match(/of (\d+)/)[1]);
        assert.ok(total > 30, `total ${total}`);
        assert.equal(await label.innerText(), `1–25 of ${total}`);
        const first = await rowNames(t);
        assert.equal(first.length, 25);
        await t.page.click(sel("pagination-next"));
        await t.page.waitForFunction((s) => document.querySelector(s).innerText.startsWith("26–"), sel("pagination-label"));
        await rowsSettled(t);
        const second = await rowNames(t);
        assert.equal(await label.innerText(), `26–${total} of ${total}`);
        assert.equal(second.length, total - 25);
        assert.ok(second.every((n) => !first.includes(n)), "pages overlap");
        assert.ok(await t.page.locator(sel("pagination-next")).isDisabled());
        assert.ok(new URL(t.page.url()).searchParams.get("cursor"), "cursor in the URL");
        await t.page.click(sel("pagination-prev"));
        await t.page.waitForFunction((s) => document.querySelector(s).innerText.startsWith("1–25"), sel("pagination-label"));
        await rowsSettled(t);
        assert.deepEqual(await rowNames(t), first);
      } finally {
        await removeLocation(t, file);
        rmSync(file, { force: true });
      }
    },
  },
  {
    name: "catalog entity page shows header, about, relations graph; a node opens its entity",
    fn: async (t) => {
      await open(t, "/catalog/default/component/payments-api");
      const header = t.page.locator(sel("entity-header"));
      await header.waitFor();
      assert.match(await header.innerText(), /Payments API service/);
      assert.match(await header.innerText(), /payments-admins/);
      assert.match(await header.innerText(), /production/);
      await t.page.waitForSelector(`${sel("about-card")} >> text=payments`);
      const graph = t.page.locator(sel("relations-graph"));
      await graph.waitFor();
      const nodes = graph.locator(sel("graph-node"));
      assert.ok((await nodes.count()) >= 3, "center + related nodes");
      // relation tables are filled from by-refs
      await t.page.waitForSelector(`${sel("relation-table-providesapi")} ${sel("related-row")}`);
      // click the provided API's node: its page shows the way back
      await graph.locator(`${sel("graph-node")}[data-ref="api:default/payments-rest"]`).click();
      await t.page.waitForFunction(() => location.pathname === "/catalog/default/api/payments-rest");
      await t.page.waitForFunction(
        (s) => /Payments REST API/.test(document.querySelector(s)?.innerText || ""),
        sel("entity-header"),
      );
      await t.page.waitForSelector(
        `${sel("relations-graph")} ${sel("graph-node")}[data-ref="component:default/payments-api"]`,
      );
    },
  },
  {
    name: "catalog entity YAML tab shows the entity as YAML",
    fn: async (t) => {
      await open(t, "/catalog/default/component/ledger");
      await t.page.waitForSelector(sel("entity-header"));
      await t.page.click(sel("entity-tab-yaml"));
      await t.page.waitForFunction(() => location.pathname === "/catalog/default/component/ledger/yaml");
      const yaml = await t.page.locator(sel("entity-yaml")).innerText();
      assert.match(yaml, /^apiVersion: backstage\.io\/v1alpha1\nkind: Component\nmetadata:\n  name: ledger\n/);
      assert.match(yaml, /\nspec:\n  type: service\n/);
      assert.match(yaml, /relations:\n- type: /);
      // deep link + back to overview
      await t.page.reload();
      await t.page.waitForSelector(sel("entity-yaml"));
      await t.page.click(sel("entity-tab-overview"));
      await t.page.waitForSelector(sel("relations-graph"));
    },
  },
  {
    name: "catalog API entity shows its definition with paths",
    fn: async (t) => {
      await open(t, "/catalog/default/api/payments-rest");
      await t.page.waitForSelector(sel("entity-header"));
      await t.page.click(sel("entity-tab-api"));
      await t.page.waitForSelector(sel("api-definition"));
      const paths = t.page.locator(`${sel("api-paths")} li`);
      assert.ok((await paths.count()) >= 1, "at least one path");
      assert.match(await t.page.locator(sel("api-definition")).innerText(), /openapi/);
    },
  },
  {
    name: "catalog unknown entity shows not found",
    fn: async (t) => {
      t.ignoreConsole(/status of 404/);
      await open(t, "/catalog/default/component/no-such-thing");
      await t.page.waitForSelector(`${sel("empty-state")} >> text=Entity not found`, { timeout: 15000 });
    },
  },
  {
    name: "catalog register a file location (dry run, import) then unregister it",
    fn: async (t) => {
      t.ignoreConsole(/status of (400|404)/);
      await removeLocation(t, registerExample);
      await open(t, "/catalog");
      await t.page.click(sel("register-link"));
      await t.page.waitForSelector(sel("register-target"));
      // a bad path shows the backend's error
      await t.page.fill(sel("register-target"), "/no/such/catalog-info.yaml");
      await t.page.click(sel("register-analyze"));
      await t.page.waitForSelector(`${sel("register-error")} ${sel("error-panel")}`);
      // the real file: dry run preview
      await t.page.fill(sel("register-target"), registerExample);
      await t.page.click(sel("register-analyze"));
      await t.page.waitForSelector(sel("register-preview"));
      const preview = await t.page.locator(sel("register-preview")).innerText();
      assert.match(preview, /inventory-service/);
      assert.match(preview, /inventory-api/);
      assert.match(preview, /owned by/);
      assert.equal(await t.page.locator(sel("register-entity")).count(), 2);
      // import
      await t.page.click(sel("register-import"));
      await t.page.waitForSelector(sel("register-result"));
      const link = t.page.locator(`${sel("register-entity-link")}[href="/catalog/default/component/inventory-service"]`);
      await link.click();
      await t.page.waitForSelector(`${sel("entity-header")} >> text=Inventory service`, { timeout: 15000 });
      // it is listed in the index too
      await waitFor(async () => (await api(t, "GET", "/entities/by-name/api/default/inventory-api")).status === 200, "inventory-api");
      // unregister with confirmation
      await t.page.click(sel("entity-unregister"));
      const dialog = t.page.locator(sel("confirm-dialog"));
      await dialog.waitFor();
      const text = await dialog.innerText();
      assert.match(text, /component:default\/inventory-service/);
      assert.match(text, /api:default\/inventory-api/);
      assert.match(text, /register-example\/catalog-info\.yaml/);
      await t.page.click(sel("confirm-button"));
      await t.page.waitForFunction(() => location.pathname === "/catalog");
      await t.page.waitForSelector(`${sel("toaster")} >> text=Unregistered`);
      await waitFor(
        async () => (await api(t, "GET", "/entities/by-name/component/default/inventory-service")).status === 404,
        "inventory-service to be removed",
      );
    },
  },
];
