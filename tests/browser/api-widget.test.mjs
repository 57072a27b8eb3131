// The widget driving a whole chat against the local chat service, as a customer would: the
// pre-chat form starts it, the agent's messages show and are marked displayed when seen, typed
// messages and attached files reach the agent, and after the agent ends the chat the rating form
// stores its feedback at the REST server. The page is pages/widget.html (the release bundle by
// <script> tag); the widget's own behaviour is tested in widget.test.mjs.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { setup } from "./api-harness.mjs";
import { until } from "./stack.mjs";

let h;

before(async () => {
  h = await setup();
});

after(async () => {
  await h?.close();
});

/** Evaluates `fn(shadowRoot, arg)` in the page. */
function inShadow(page, fn, arg) {
  return page.evaluate(([src, a]) => (0, eval)(`(${src})`)(document.getElementById("exotel-chat-icon").shadowRoot, a), [fn.toString(), arg]);
}

/** Waits until the widget's message list shows `text`. */
function listShows(page, text) {
  return page.waitForFunction((t) => document.getElementById("exotel-chat-icon").shadowRoot.querySelector(".log").textContent.includes(t), text);
}

function agentGets(room, what, match) {
  return until(`the agent to receive ${what}`, async () => (await h.agent.received(room)).find(match));
}

test("the widget runs a chat end to end: pre-chat form, messages both ways, a file, the chat end and the rating form", async () => {
  const { page, errors, close } = await h.open({}, "/widget.html");
  const shadow = (selector) => page.locator(`#exotel-chat-icon ${selector}`);
  await shadow(".ic").click();
  await shadow("#fn").fill("Asha Rao");
  await shadow("#fe").fill("asha@example.com");
  await shadow("#fp").fill("+911234567890");
  const provisioned = page.waitForResponse((r) => r.url().endsWith("/plugins/restapi/v1/xtrm/users/connection"));
  await shadow("form.pre button[type=submit]").click();
  const room = `${(await (await provisioned).json()).mucRoomEntity.roomName}@${h.info.muc_domain}`;

  await listShows(page, "Hello Asha Rao");
  // Shown in the open panel: the widget had the greeting marked displayed.
  const greeting = await agentGets(room, "its own greeting", (e) => e.self && e.kind === "message" && (e.body || "").startsWith("Hello"));
  await agentGets(room, "the displayed marker of the greeting", (e) => e.marker?.type === "displayed" && e.marker.id === greeting.id);

  await shadow("form.cp textarea").fill("I need help with my bill");
  await shadow("form.cp textarea").press("Enter");
  await agentGets(room, "the typed message", (e) => e.kind === "message" && !e.self && e.body === "I need help with my bill");
  await listShows(page, "You said");

  await shadow("form.cp input[type=file]").setInputFiles({ name: "bill.txt", mimeType: "text/plain", buffer: Buffer.from("amount due: 42") });
  const file = await agentGets(room, "the file message", (e) => e.kind === "message" && !e.self && e.oob.length > 0);
  assert.equal(file.oob[0].desc, "bill.txt");
  assert.equal(file.exotel.subtype, "media_msg");
  assert.equal(await (await fetch(file.oob[0].url)).text(), "amount due: 42");

  const chatId = `chat-${Date.now()}`;
  await h.agent.end(room, chatId, `interaction-${Date.now()}`);
  await page.waitForFunction(() => !document.getElementById("exotel-chat-icon").shadowRoot.querySelector("form.fb").hidden);
  await shadow("label[for=r4]").click();
  await shadow("form.fb textarea").fill("quick answers");
  await shadow("form.fb button[type=submit]").click();
  const stored = await until("the rating at the REST server", async () => {
    const headers = { Authorization: h.info.auth_token, contactCenterId: String(h.info.contactCenterId) };
    const all = await (await fetch(`${h.info.rest_url}/plugins/restapi/v1/xtrm/chat-feedback`, { headers })).json();
    return all.find((f) => f.chat_id === chatId);
  });
  assert.deepEqual(stored.feedback, { rating: 4, comment: "quick answers" });
  await page.waitForFunction(() => document.getElementById("exotel-chat-icon").shadowRoot.querySelector("form.fb").hasAttribute("data-done"));
  assert.equal(await inShadow(page, (root) => root.querySelector("form.cp textarea").disabled), true);
  assert.deepEqual(errors, []);
  await close();
});
