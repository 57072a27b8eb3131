// The exoChat API of the RELEASE bundle in headless Chromium against the local chat service:
// XEP-0363 uploads (the agent receives the file message, the GET URL serves the same bytes),
// the REST archive replay, the chat end and the CSAT flow (the REST server stores the spec's body).
// The flows that run on ejabberd too (ejabberd.test.mjs) are in api-flows.mjs.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { setup } from "./api-harness.mjs";
import { archiveReplay, bytesAt, chatEndAndFeedback, uploadRoundTrip } from "./api-flows.mjs";

let h;

before(async () => {
  h = await setup();
});

after(async () => {
  await h?.close();
});

test("uploadFileToConverse, then sendMessage media_msg: progress events, the agent gets the file message, the URL serves the same bytes", () => uploadRoundTrip(h));

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

test("fetchArchivedMessages replays the archive in order with archived: true, without what the page already showed", () => archiveReplay(h));

test("the agent ends the chat: messageReceived with interaction_data, chatEnded, the feedback tab; submitFeedbackResponse stores the spec's body", () => chatEndAndFeedback(h));
