// Host endpoints the SPA relies on (API level: runs on every database engine).
import assert from "node:assert/strict";
import { authHeaders, guestToken } from "./helpers.mjs";

async function get(url, headers = { accept: "application/json" }) {
  const res = await fetch(url, { headers });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, type: res.headers.get("content-type") || "", text, json };
}

export const tests = [
  {
    name: "api: healthz, readyz and plugins answer JSON",
    api: true,
    fn: async (t) => {
      const health = await get(t.url("/healthz"));
      assert.equal(health.status, 200);
      assert.equal(health.json.status, "ok");
      const ready = await get(t.url("/readyz"));
      assert.equal(ready.status, 200, ready.text);
      assert.equal(ready.json.status, "ok");
      assert.equal(ready.json.version, health.json.version);
      if (t.engine) assert.equal(ready.json.database, t.engine);
      assert.ok(Array.isArray(ready.json.checks));
      assert.equal((await get(t.url("/api/plugins"))).status, 401, "deny by default");
      const plugins = await get(t.url("/api/plugins"), authHeaders(await guestToken(t)));
      assert.equal(plugins.status, 200);
      assert.ok(plugins.json.some((p) => p.id === "home" && p.version), plugins.text);
    },
  },
  {
    name: "api: unknown API path is a Backstage 404, client routes serve the SPA",
    api: true,
    fn: async (t) => {
      const nf = await get(t.url("/api/no-such-plugin/x"));
      assert.equal(nf.status, 404);
      assert.equal(nf.json.response.statusCode, 404);
      assert.ok(nf.json.error.name && nf.json.error.message, nf.text);
      const spa = await get(t.url("/some/client/route"));
      assert.equal(spa.status, 200);
      assert.match(spa.type, /text\/html/);
      assert.match(spa.text, /<html/i);
    },
  },
];
