// The Scaffolder ("Create") against the real backend with the demo catalog
// (`butler-portal --demo`): pick the demo template in the gallery, fill the wizard (an
// inline validation error first), review, run, watch the log stream, follow the output
// link to the newly registered catalog entity. Plus the same flow through the REST API
// and the create-workspace template's unknown-action refusal.
//
// SCAFFOLDER_SHOTS=<dir> saves screenshots of the gallery, the wizard with an error and
// the run page there.
import assert from "node:assert/strict";
import { join } from "node:path";
import { signIn, sel, guestToken, authHeaders } from "./helpers.mjs";

const shots = process.env.SCAFFOLDER_SHOTS || "";
const shot = async (t, name) => {
  if (shots) await t.page.screenshot({ path: join(shots, `${name}.png`) });
};
const unique = (prefix) => `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

export const tests = [
  {
    name: "scaffolder gallery, wizard with inline validation, run with live logs, output link",
    fn: async (t) => {
      await signIn(t, "/create");
      await t.page.waitForSelector(sel("template-card-rust-service"));
      await t.page.waitForSelector(sel("template-card-create-workspace"));
      await shot(t, "scaffolder-gallery");
      // Filters: search and tag.
      await t.page.fill(sel("template-search"), "workspace");
      await t.page.waitForSelector(sel("template-card-rust-service"), { state: "detached" });
      await t.page.fill(sel("template-search"), "");
      await t.page.click(sel("tag-recommended"));
      await t.page.waitForSelector(sel("template-card-create-workspace"), { state: "detached" });
      await t.page.click(sel("choose-rust-service"));

      // Page 1 with an invalid name: the error shows inline next to the field.
      await t.page.waitForSelector(sel("wizard-page-0"));
      const name = unique("e2e-svc");
      await t.page.fill(sel("field-name"), "Not Valid!");
      await t.page.locator(sel("field-name")).blur();
      const err = await t.page.waitForSelector(sel("field-error-name"));
      assert.match(await err.innerText(), /does not match pattern/);
      await t.page.click(sel("wizard-next"));
      await t.page.waitForSelector(sel("field-error-owner"));
      assert.match(await t.page.innerText(sel("field-error-owner")), /is required/);
      await shot(t, "scaffolder-wizard-error");
      assert.equal(await t.page.locator(sel("wizard-page-0")).count(), 1, "stays on page 1");

      // Fix it: the errors go away.
      await t.page.fill(sel("field-name"), name);
      await t.page.fill(sel("field-description"), "Made by the e2e suite");
      await t.page.fill(sel("field-owner"), "group:default/payments-operators");
      await t.page.fill(sel("field-tags"), "e2e");
      await t.page.keyboard.press("Enter");
      await t.page.waitForSelector(sel("field-error-name"), { state: "detached" });
      await t.page.click(sel("wizard-next"));

      // Page 2: defaults are filled in; a value out of range is refused inline.
      await t.page.waitForSelector(sel("wizard-page-1"));
      assert.equal(await t.page.inputValue(sel("field-port")), "8080");
      await t.page.fill(sel("field-port"), "80");
      await t.page.click(sel("wizard-next"));
      assert.match(await t.page.innerText(sel("field-error-port")), /greater than or equal to 1024/);
      await t.page.fill(sel("field-port"), "8081");

      // A conditional field: the database name appears only for PostgreSQL, is then
      // required (inline error on the field itself), and goes away again with "None".
      assert.equal(await t.page.locator(sel("field-databaseName")).count(), 0);
      await t.page.selectOption(sel("field-database"), { label: "PostgreSQL" });
      await t.page.waitForSelector(sel("field-databaseName"));
      await t.page.click(sel("wizard-next"));
      assert.match(await t.page.innerText(sel("field-error-databaseName")), /is required/);
      await t.page.fill(sel("field-databaseName"), "Bad-Name");
      await t.page.locator(sel("field-databaseName")).blur();
      assert.match(await t.page.innerText(sel("field-error-databaseName")), /pattern/);
      await shot(t, "scaffolder-conditional-field");
      await t.page.selectOption(sel("field-database"), { label: "None" });
      await t.page.waitForSelector(sel("field-databaseName"), { state: "detached" });
      await t.page.selectOption(sel("field-database"), { label: "PostgreSQL" });
      await t.page.fill(sel("field-databaseName"), "ledger_db");
      await t.page.click(sel("wizard-next"));

      // Review, then create.
      await t.page.waitForSelector(sel("wizard-review"));
      assert.equal(await t.page.innerText(sel("review-name")), name);
      assert.equal(await t.page.innerText(sel("review-port")), "8081");
      await t.page.click(sel("wizard-create"));

      // The run page streams the log and ends completed with an output link.
      await t.page.waitForURL(/\/create\/tasks\/[0-9a-f-]+$/);
      await t.page.waitForSelector(`${sel("run-log")} >> text=Beginning step Generate the skeleton`);
      await t.page.waitForSelector(`${sel("run-status")}[data-status="completed"]`, { timeout: 20000 });
      const log = await t.page.innerText(sel("run-log"));
      assert.match(log, new RegExp(`Generated ${name} for group:default/payments-operators`));
      assert.match(log, /Registered component:default\//);
      assert.equal(await t.page.getAttribute(sel("run-step-register"), "data-status"), "completed");
      await shot(t, "scaffolder-run");
      const link = t.page.locator(sel("output-link"));
      assert.equal(await link.getAttribute("href"), `/catalog/default/component/${name}`);
      await link.click();
      await t.page.waitForURL(new RegExp(`/catalog/default/component/${name}$`));
      await t.page.waitForSelector(`${sel("page-heading")} >> text=${name}`, { timeout: 20000 });

      // The task list shows it under "Mine".
      await t.page.goto(t.url("/create/tasks"));
      await t.page.waitForSelector(sel("tasks-table"));
      assert.match(await t.page.innerText(sel("tasks-table")), /Rust HTTP service/);
    },
  },
  {
    name: "scaffolder create-workspace renders its form and is refused with the unknown action",
    fn: async (t) => {
      t.ignoreConsole(/status of 400/); // the refused POST /v2/tasks
      await signIn(t, "/create/templates/default/create-workspace");
      await t.page.waitForSelector(sel("wizard-page-0"));
      assert.equal(await t.page.inputValue(sel("field-image")), "ubuntu:22.04");
      await t.page.fill(sel("field-name"), "my-ws");
      await t.page.click(sel("wizard-next"));
      await t.page.click(sel("wizard-create"));
      await t.page.waitForSelector(`${sel("wizard-review")} >> text=unknown action \`butler:workspace:create\``);
    },
  },
  {
    name: "scaffolder REST API with a token: create, stream events, registered entity",
    api: true,
    fn: async (t) => {
      const token = await guestToken(t);
      const name = unique("api-svc");
      const bad = await fetch(t.url("/api/scaffolder/v2/tasks"), {
        method: "POST",
        headers: authHeaders(token, { "content-type": "application/json" }),
        body: JSON.stringify({ templateRef: "template:default/rust-service", values: { name: "Bad!" } }),
      });
      assert.equal(bad.status, 400);
      const errors = (await bad.json()).errors;
      assert.ok(errors.some((e) => e.name === "pattern" && e.property === "instance.name"));
      assert.ok(errors.some((e) => e.name === "required" && e.argument === "owner"));

      const res = await fetch(t.url("/api/scaffolder/v2/tasks"), {
        method: "POST",
        headers: authHeaders(token, { "content-type": "application/json" }),
        body: JSON.stringify({
          templateRef: "template:default/rust-service",
          values: { name, owner: "group:default/payments-operators" },
        }),
      });
      assert.equal(res.status, 201, await res.clone().text());
      const { id } = await res.json();
      const sse = await fetch(t.url(`/api/scaffolder/v2/tasks/${id}/eventstream`), { headers: authHeaders(token) });
      assert.equal(sse.headers.get("content-type"), "text/event-stream");
      const text = await sse.text(); // the server closes the stream after `completion`
      const events = text
        .split("\n\n")
        .filter((b) => b.includes("data: "))
        .map((b) => JSON.parse(b.split("\n").find((l) => l.startsWith("data: ")).slice(6)));
      const last = events[events.length - 1];
      assert.equal(last.type, "completion");
      assert.equal(last.body.status, "completed", JSON.stringify(events.slice(-3)));
      const ref = last.body.output.links[0].entityRef;
      assert.equal(ref, `component:default/${name}`);
      const end = Date.now() + 15000;
      for (;;) {
        const e = await fetch(t.url(`/api/catalog/entities/by-name/component/default/${name}`), { headers: authHeaders(token) });
        if (e.ok) break;
        if (Date.now() > end) throw new Error("entity never appeared in the catalog");
        await new Promise((r) => setTimeout(r, 250));
      }
      const ws = await fetch(t.url("/api/scaffolder/v2/tasks"), {
        method: "POST",
        headers: authHeaders(token, { "content-type": "application/json" }),
        body: JSON.stringify({ templateRef: "template:default/create-workspace", values: { name: "x" } }),
      });
      assert.equal(ws.status, 400);
      assert.match((await ws.json()).error.message, /unknown action `butler:workspace:create`/);
    },
  },
];
