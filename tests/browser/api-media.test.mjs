// The exoChat API of the RELEASE bundle in headless Chromium against the local chat service:
// XEP-0363 uploads (the agent receives the file message, the GET URL serves the same bytes),
// the REST archive replay, the chat end and the CSAT flow (the REST server stores the spec's body).

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { setup } from "./api-harness.mjs";
import { until } from "./stack.mjs";

let h;

before(async () => {
  h = await setup();
});

after(async () => {
  await h?.close();
});

function agentGets(room, what, match) {
  return until(`the agent to receive ${what}`, async () => (await h.agent.received(room)).find(match));
}

async function bytesAt(url) {
  const res = await fetch(url);
  assert.equal(res.status, 200, `GET ${url}`);
  return Buffer.from(await res.arrayBuffer());
}

/** Headers of the REST and CMS calls. */
function restHeaders() {
  return { Authorization: h.info.auth_token, contactCenterId: String(h.info.contactCenterId), "Content-Type": "application/json" };
}

test("uploadFileToConverse, then sendMessage media_msg: progress events, the agent gets the file message, the URL serves the same bytes", async () => {
  const { page, requests, close } = await h.open();
  const room = await h.startChat(page);
  const bytes = randomBytes(200_000);
  const url = await page.evaluate(async ([jid, data]) => {
    const file = new File([new Uint8Array(data)], "notes.bin", { type: "application/octet-stream" });
    const url = await exoChat.uploadFileToConverse(file);
    if (url) exoChat.sendMessage(jid, url, "media_msg", [{ url, name: file.name }]);
    return url;
  }, [room.jid, [...bytes]]);
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/file_share\/.+\/notes\.bin$/);
  assert.deepEqual(await bytesAt(url), bytes);

  // The PUT carried the slot's Authorization header (Prosody refuses it without).
  const put = requests.find((r) => r.method() === "PUT");
  assert.match(put.headers()["authorization"], /^Bearer /);
  const progress = await page.evaluate(() => seen("uploadProgress").map(([p]) => p));
  assert.ok(progress.length >= 1);
  assert.deepEqual(progress.at(-1), { name: "notes.bin", loaded: bytes.length, total: bytes.length });
  assert.ok(progress.every((p, i) => p.total === bytes.length && (i === 0 || p.loaded >= progress[i - 1].loaded)));

  const got = await agentGets(room.jid, "the file message", (e) => e.kind === "message" && e.oob.length > 0);
  assert.deepEqual(got.oob, [{ url, desc: "notes.bin" }]);
  assert.equal(got.body, url);
  assert.equal(got.exotel.subtype, "media_msg");
  // The reflected copy is shown to the page as its own media message; the handler renders it.
  const [[own]] = await h.waitForEvents(page, "messageReceived", `(m) => m.sender === "me" && m.subtype === "media_msg"`);
  assert.deepEqual(own.files, [{ url, name: "notes.bin" }]);
  assert.deepEqual(await page.evaluate(() => attachments), [{ url, name: "notes.bin" }]);
  await close();
});

test("discoverFileUploadJid, requestUploadServiceInfo, requestSlotFromConverse and uploadFile step by step", async () => {
  const { page, close } = await h.open();
  await h.startChat(page);
  const bytes = randomBytes(1234);
  const result = await page.evaluate(async (data) => {
    const jid = await exoChat.discoverFileUploadJid();
    const info = await exoChat.requestUploadServiceInfo(jid);
    const file = new File([new Uint8Array(data)], "step.bin", { type: "application/octet-stream" });
    const slot = await exoChat.requestSlotFromConverse(file.name, file.size, file.type);
    const uploaded = await exoChat.uploadFile(file, slot.putUrl, slot.getUrl);
    // A PUT URL of no slot handed out: no headers to send, the server refuses, null.
    const refused = await exoChat.uploadFile(file, slot.putUrl.replace("step.bin", "other.bin"), slot.getUrl);
    return { jid, info, slotKeys: Object.keys(slot).sort(), getUrl: slot.getUrl, uploaded, refused };
  }, [...bytes]);
  assert.equal(result.jid, "upload.localhost");
  assert.ok(result.info.features.includes("urn:xmpp:http:upload:0"));
  const form = result.info.forms.find((f) => f.form_type === "urn:xmpp:http:upload:0");
  assert.deepEqual(form.fields.find((f) => f.var === "max-file-size").values, [String(16 * 1024 * 1024)]);
  assert.deepEqual(result.slotKeys, ["getUrl", "putUrl"]);
  assert.equal(result.uploaded, result.getUrl);
  assert.equal(result.refused, null);
  assert.deepEqual(await bytesAt(result.getUrl), bytes);
  await close();
});

test("a file larger than the service accepts is refused before any upload, with the reason on the console", async () => {
  const { page, requests, consoleMessages, close } = await h.open();
  await h.startChat(page);
  const url = await page.evaluate(() => exoChat.uploadFileToConverse(new File([new Uint8Array(17 * 1024 * 1024)], "huge.bin")));
  assert.equal(url, null);
  const warning = consoleMessages.find((m) => m.type() === "warning" && m.text().includes("huge.bin"));
  assert.match(warning.text(), /exoChat\.uploadFileToConverse: huge\.bin is 17\.0 MB, more than the 16\.0 MB the upload service accepts/);
  assert.deepEqual(requests.filter((r) => r.method() === "PUT"), []);
  // Not even a slot was asked for.
  assert.ok(!requests.some((r) => (r.postData() || "").includes("huge.bin")));
  await close();
});

test("a file from the agent arrives as media_msg with its files; the URL serves what the agent uploaded", async () => {
  const { page, close } = await h.open();
  const room = await h.startChat(page);
  await h.agent.auto(room.jid, false);
  const bytes = randomBytes(5000);
  const { url } = await h.agent.file(room.jid, "report 1.pdf", bytes, "application/pdf");
  const [[msg]] = await h.waitForEvents(page, "messageReceived", `(m) => m.subtype === "media_msg"`);
  assert.deepEqual(msg.files, [{ url, name: "report 1.pdf" }]);
  assert.equal(msg.sender, "agent");
  assert.deepEqual(await page.evaluate(() => attachments), [{ url, name: "report 1.pdf" }]);
  assert.equal(await page.evaluate((u) => exoChat.isDocumentPdf(u), url), true);
  assert.deepEqual(await bytesAt(url), bytes);
  await close();
});

test("fetchArchivedMessages replays the archive in order with archived: true, without what the page already showed", async () => {
  const live = await h.open();
  const room = await h.startChat(live.page);
  await h.agent.auto(room.jid, false);
  await h.agent.say(room.jid, "first");
  await h.agent.say(room.jid, "second");
  await live.page.evaluate((jid) => exoChat.sendMessage(jid, "mine", "normal_text_msg", null), room.jid);
  await h.waitForEvents(live.page, "messageReceived", `(m) => m.body === "mine"`);
  await h.waitForEvents(live.page, "messageReceived", `(m) => m.body === "second"`);
  await h.waitForEvents(live.page, "messageReceived", `(m) => m.body.startsWith("Hello")`);
  const history = await until("the archive to hold the four messages", async () => {
    const h_ = (await h.agent.history(room.jid)).filter((e) => e.body);
    return h_.length >= 4 && h_;
  });

  // The page that saw everything live gets nothing twice.
  const before = await live.page.evaluate(() => seen("messageReceived").length);
  await live.page.evaluate((jid) => exoChat.fetchArchivedMessages(jid), room.jid);
  assert.equal(await live.page.evaluate(() => seen("messageReceived").length), before);

  // A page without a session (initialize only) gets the whole history, in order.
  const other = await h.open();
  await other.page.evaluate((jid) => exoChat.fetchArchivedMessages(jid), room.jid);
  const replayed = await other.page.evaluate(() => seen("messageReceived").map(([m]) => m));
  assert.deepEqual(replayed.map((m) => m.body), history.map((e) => e.body));
  assert.ok(replayed.every((m) => m.archived === true && m.from_muc === room.jid));
  assert.deepEqual(replayed.map((m) => m.nick), history.map((e) => e.nick));
  assert.deepEqual(replayed.map((m) => m.nick).sort(), ["Agent", "Agent", "Agent", "Jane Smith"]);
  assert.ok(replayed.every((m, i) => i === 0 || m.time >= replayed[i - 1].time));
  // The handler rendered what it sees as the agent's (without a session of its own, this page
  // cannot tell the customer's messages apart); archived messages have no msgid, so no marker.
  const agents = replayed.filter((m) => m.sender === "agent").map((m) => m.body);
  assert.deepEqual(await other.page.evaluate(() => rendered.map((r) => r.body)), agents);
  // Again: nothing new.
  await other.page.evaluate((jid) => exoChat.fetchArchivedMessages(jid), room.jid);
  assert.equal(await other.page.evaluate(() => seen("messageReceived").length), replayed.length);
  await live.close();
  await other.close();
});

test("the agent ends the chat: messageReceived with interaction_data, chatEnded, the feedback tab; submitFeedbackResponse stores the spec's body", async () => {
  // A nodeflow of its own, so that its feedback config (a new tab) concerns this test alone.
  const nodeflowId = 77;
  const feedbackConfigUrl = `${h.info.cms_url}/configuration/cc-list/${h.info.contactCenterId}/process-list/${h.info.processId}` +
    `/campaigns/${h.info.campaignId}/chat-feedback-schemes-configurations/${h.info.campaignId}_${nodeflowId}_webchat`;
  const newTab = { isFeedbackEnabled: true, openInNewTab: true, feedbackUrl: h.info.feedback_page_url };
  const put = await fetch(feedbackConfigUrl, { method: "PUT", headers: restHeaders(), body: JSON.stringify(newTab) });
  assert.equal(put.status, 200);
  const { page, context, close } = await h.open({ nodeflowId });
  const room = await h.startChat(page);
  const tab = context.waitForEvent("page");
  const chatId = `chat-${Date.now()}`;
  const interactionId = `interaction-${Date.now()}`;
  await h.agent.end(room.jid, chatId, interactionId);

  const [[ended]] = await h.waitForEvents(page, "messageReceived", `(m) => m.chatEnded`);
  assert.deepEqual(ended.interaction_data, { chatId, interaction_id: interactionId });
  assert.deepEqual(await page.evaluate(() => chatEnds), [{ chatId, interaction_id: interactionId }]);
  assert.deepEqual(await h.waitForEvents(page, "chatEnded"), [[{ roomJid: room.jid, chatId, interaction_id: interactionId }]]);
  // openInNewTab: the SDK opened the feedback page by itself.
  const opened = await tab;
  await opened.waitForLoadState("domcontentloaded");
  assert.equal(opened.url(), h.info.feedback_page_url);
  assert.deepEqual(await page.evaluate(() => exoChat.getFeedbackConfig()), newTab);

  const response = await page.evaluate(async ([i, c]) => {
    const r = await exoChat.submitFeedbackResponse(i, c, { score: 5, comment: "great support!" });
    return { isResponse: r instanceof Response, ok: r.ok, status: r.status, body: await r.json() };
  }, [interactionId, chatId]);
  assert.deepEqual(response, { isResponse: true, ok: true, status: 200, body: { status: "success" } });
  const stored = await (await fetch(`${h.info.rest_url}/plugins/restapi/v1/xtrm/chat-feedback`, { headers: restHeaders() })).json();
  const mine = stored.find((f) => f.chat_id === chatId);
  assert.deepEqual(
    { campaign_id: mine.campaign_id, interaction_id: mine.interaction_id, chat_id: mine.chat_id, feedback: mine.feedback },
    { campaign_id: h.info.campaignId, interaction_id: interactionId, chat_id: chatId, feedback: { score: 5, comment: "great support!" } },
  );
  await close();
});
