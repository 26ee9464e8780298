// Compatibility test: Backstage's own @backstage/catalog-client against a running portal
// started with --demo (SQLite or PostgreSQL).
//
//   BASE_URL=http://127.0.0.1:7099 node e2e/catalog-client.test.mjs
//
// TOKEN=<bearer> is sent as Authorization when set; otherwise a guest session is used
// when the portal offers one. Prints PASS/FAIL per check, ends with
// "catalog-client: N passed, N failed", exits non-zero on any failure.
import { CatalogClient } from "@backstage/catalog-client";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const BASE_URL = (process.env.BASE_URL || "http://127.0.0.1:7099").replace(/\/$/, "");
// A bearer token: TOKEN, else a guest session when the portal offers one (dev/demo).
async function token() {
  if (process.env.TOKEN) return process.env.TOKEN;
  try {
    const r = await fetch(`${BASE_URL}/api/auth/guest/refresh`, { headers: { "x-requested-with": "XMLHttpRequest" } });
    if (r.ok) return (await r.json()).backstageIdentity?.token;
  } catch {}
  return undefined;
}
const bearer = await token();
const headers = bearer ? { authorization: `Bearer ${bearer}` } : {};
const fetchApi = {
  fetch: (input, init = {}) => fetch(input, { ...init, headers: { ...headers, ...(init.headers || {}) } }),
};
const client = new CatalogClient({
  discoveryApi: { getBaseUrl: async () => `${BASE_URL}/api/catalog` },
  fetchApi,
});

let passed = 0;
let failed = 0;
async function check(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`PASS ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e && e.stack ? e.stack : e}`);
  }
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function eventually(fn, ms = 15000) {
  const t0 = Date.now();
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() - t0 > ms) throw e;
      await sleep(100);
    }
  }
}
const names = (items) => items.map((e) => e.metadata.name);

// The demo catalog is loaded asynchronously after start-up.
await eventually(async () => {
  const { items } = await client.getEntities({ filter: { kind: "api" } });
  assert.ok(items.length >= 4, `demo APIs not loaded yet (${items.length})`);
}, 30000);

await check("getEntities with filter, fields and order", async () => {
  const { items } = await client.getEntities({
    filter: { kind: "component", "spec.lifecycle": "production" },
    fields: ["metadata.name", "kind", "spec.owner"],
    order: { field: "metadata.name", order: "desc" },
  });
  assert.ok(items.length >= 5, `expected production components, got ${items.length}`);
  assert.deepEqual(names(items), [...names(items)].sort().reverse());
  for (const e of items) {
    assert.equal(e.kind, "Component");
    assert.deepEqual(Object.keys(e).sort(), ["kind", "metadata", "spec"]);
    assert.deepEqual(Object.keys(e.metadata), ["name"]);
  }
});

await check("getEntities with OR'ed filters and arrays", async () => {
  const { items } = await client.getEntities({ filter: [{ kind: "group" }, { kind: "user" }] });
  const kinds = new Set(items.map((e) => e.kind));
  assert.deepEqual([...kinds].sort(), ["Group", "User"]);
  const tagged = await client.getEntities({ filter: { "metadata.tags": "rust" } });
  assert.ok(tagged.items.length >= 3);
  assert.ok(tagged.items.every((e) => e.metadata.tags.includes("rust")));
});

await check("getEntities pagination with limit/offset", async () => {
  const all = await client.getEntities({ order: { field: "metadata.name", order: "asc" } });
  const seen = [];
  for (let offset = 0; offset < all.items.length; offset += 7) {
    const page = await client.getEntities({ order: { field: "metadata.name", order: "asc" }, limit: 7, offset });
    seen.push(...names(page.items));
  }
  assert.deepEqual(seen, names(all.items));
});

await check("queryEntities cursor paging to the end and back", async () => {
  let res = await client.queryEntities({ limit: 5, orderFields: { field: "metadata.name", order: "asc" } });
  const total = res.totalItems;
  assert.ok(total > 30, `total ${total}`);
  const seen = [...names(res.items)];
  const pages = [names(res.items)];
  while (res.pageInfo.nextCursor) {
    res = await client.queryEntities({ cursor: res.pageInfo.nextCursor, limit: 5 });
    assert.equal(res.totalItems, total);
    seen.push(...names(res.items));
    pages.push(names(res.items));
  }
  assert.equal(seen.length, total);
  assert.deepEqual(seen, [...seen].sort());
  assert.ok(res.pageInfo.prevCursor);
  const back = await client.queryEntities({ cursor: res.pageInfo.prevCursor, limit: 5 });
  assert.deepEqual(names(back.items), pages[pages.length - 2]);
  const filtered = await client.queryEntities({ filter: { kind: "system" }, fullTextFilter: { term: "pay", fields: ["metadata.name"] } });
  assert.deepEqual(names(filtered.items), ["payments"]);
});

await check("getEntitiesByRefs keeps order and nulls", async () => {
  const { items } = await client.getEntitiesByRefs({
    entityRefs: ["component:default/payments-api", "component:default/nope", "group:default/platform-admins"],
    fields: ["metadata.name", "kind"],
  });
  assert.equal(items.length, 3);
  assert.equal(items[0].metadata.name, "payments-api");
  assert.equal(items[1], undefined);
  assert.equal(items[2].kind, "Group");
});

await check("getEntityByRef with relations and placeholder", async () => {
  const api = await client.getEntityByRef("api:default/payments-rest");
  assert.ok(api, "payments-rest missing");
  assert.ok(api.spec.definition.startsWith("openapi: 3.0.3"), "definition not resolved from $text");
  const rels = api.relations.map((r) => `${r.type} ${r.targetRef}`);
  assert.ok(rels.includes("apiProvidedBy component:default/payments-api"), rels.join(", "));
  assert.ok(rels.includes("ownedBy group:default/payments-admins"));
  assert.equal(await client.getEntityByRef("component:default/does-not-exist"), undefined);
  const group = await client.getEntityByRef({ kind: "Group", namespace: "default", name: "platform-admins" });
  assert.ok(group.relations.some((r) => r.type === "hasMember" && r.targetRef === "user:default/alice"));
});

await check("getEntityFacets", async () => {
  const { facets } = await client.getEntityFacets({ facets: ["kind", "spec.type"], filter: { kind: "component" } });
  assert.deepEqual(facets.kind, [{ value: "Component", count: facets.kind[0].count }]);
  const service = facets["spec.type"].find((f) => f.value === "service");
  assert.ok(service && service.count >= 4, JSON.stringify(facets["spec.type"]));
});

await check("getEntityAncestors", async () => {
  const res = await client.getEntityAncestors({ entityRef: "component:default/ledger" });
  assert.equal(res.rootEntityRef, "component:default/ledger");
  assert.ok(res.items.length >= 2);
  assert.ok(res.items.some((i) => i.entity.kind === "Location"));
});

await check("addLocation (dry run, real), getLocations, removeLocationById", async () => {
  const dir = mkdtempSync(join(tmpdir(), "catclient-"));
  const file = join(dir, "catalog-info.yaml");
  const name = `client-test-${Date.now()}`;
  writeFileSync(file, `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${name}\nspec:\n  type: service\n  lifecycle: experimental\n  owner: platform-admins\n`);
  const dry = await client.addLocation({ type: "file", target: file, dryRun: true });
  assert.equal(dry.exists, false);
  assert.deepEqual(names(dry.entities), [name]);
  assert.equal(await client.getEntityByRef(`component:default/${name}`), undefined);
  const added = await client.addLocation({ type: "file", target: file });
  assert.equal(added.location.type, "file");
  assert.equal(added.location.target, file);
  const locations = await client.getLocations();
  assert.ok(locations.items.some((l) => l.id === added.location.id));
  assert.equal((await client.getLocationById(added.location.id)).target, file);
  assert.equal((await client.getLocationByRef(`file:${file}`)).id, added.location.id);
  await eventually(async () => assert.ok(await client.getEntityByRef(`component:default/${name}`)));
  assert.equal((await client.getLocationByEntity(`component:default/${name}`)).id, added.location.id);
  await assert.rejects(client.addLocation({ type: "file", target: file }), /already exists|Conflict/);
  await client.removeLocationById(added.location.id);
  await eventually(async () => assert.equal(await client.getEntityByRef(`component:default/${name}`), undefined));
  assert.equal(await client.getLocationById(added.location.id), undefined);
});

await check("validateEntity", async () => {
  const ok = await client.validateEntity(
    { apiVersion: "backstage.io/v1alpha1", kind: "Component", metadata: { name: "valid" },
      spec: { type: "service", lifecycle: "production", owner: "team" } },
    "url:https://example.com/catalog-info.yaml",
  );
  assert.deepEqual(ok, { valid: true });
  const bad = await client.validateEntity(
    { apiVersion: "backstage.io/v1alpha1", kind: "Component", metadata: { name: "-bad-" }, spec: {} },
    "url:https://example.com/catalog-info.yaml",
  );
  assert.equal(bad.valid, false);
  assert.ok(bad.errors.length >= 1, JSON.stringify(bad.errors));
  assert.match(bad.errors[0].message, /metadata\.name/);
});

await check("refreshEntity", async () => {
  await client.refreshEntity("component:default/payments-api");
  await assert.rejects(client.refreshEntity("component:default/nope"));
});

await check("errors are Backstage-shaped", async () => {
  const r = await fetchApi.fetch(`${BASE_URL}/api/catalog/entities?filter=`);
  assert.equal(r.status, 400);
  const body = await r.json();
  assert.equal(body.error.name, "InputError");
  assert.equal(body.response.statusCode, 400);
});

console.log(`catalog-client: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
