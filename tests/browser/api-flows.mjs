// The integrator flows of the exoChat API that run the same on every XMPP server: each takes a
// harness (`setup()` of api-harness.mjs, on Prosody or ejabberd), opens a fresh pages/api.html
// (the RELEASE bundle by a classic <script>, the reference's snippets as written) and starts its
// own chat, and asserts what the page saw and what the agent ACTUALLY received (its control API).
// api.test.mjs and api-media.test.mjs run them on Prosody, ejabberd.test.mjs on ejabberd.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { until } from "./stack.mjs";

/** Every field of a message object (the reference's schema, plus `archived` on replays only). */
const MESSAGE_FIELDS = ["id", "msgid", "body", "from", "from_muc", "from_real_jid", "to", "nick", "occupant_id", "sender",
  "type", "chat_state", "time", "received", "message", "subtype", "files", "userRole", "is_markable", "is_marker",
  "marker_id", "receipt_id", "displayed", "interaction_data", "chatEnded"].sort();

/**
 * Where the servers' XEP-0363 services differ, by `xmpp_server`: the path of slot URLs, and the
 * header the PUT must carry (Prosody's mod_http_file_share names a JWT; ejabberd's mod_http_upload
 * puts the secret in the URL and names no header).
 */
const UPLOAD = {
  prosody: { path: /^\/file_share\/.+\/notes\.bin$/, putAuthorization: /^Bearer / },
  ejabberd: { path: /^\/upload\/.+\/notes\.bin$/, putAuthorization: undefined },
};

/** The body of a GET of `url`, asserting a 200. */
export async function bytesAt(url) {
  const res = await fetch(url);
  assert.equal(res.status, 200, `GET ${url}`);
  return Buffer.from(await res.arrayBuffer());
}

/** Headers of the REST and CMS calls. */
function restHeaders(h) {
  return { Authorization: h.info.auth_token, contactCenterId: String(h.info.contactCenterId), "Content-Type": "application/json" };
}

/**
 * The reference's bot-to-agent handoff snippet and `messageReceived` handler run as written (pages/api.html):
 * the provisioning call on the wire, the room, the greeting rendered, its receipt and displayed marker at the agent.
 */
export async function handoffSnippet(h) {
  const { page, consoleMessages, requests, errors, close } = await h.open();
  await page.evaluate(() => handoff());
  const done = await until("handoff complete", () => consoleMessages.find((m) => m.text().startsWith("handoff complete")));
  const room = await done.args()[1].evaluate((r) => ({ jid: r.jid, nick: r.nick, get: r.get("jid") }));
  assert.match(room.jid, /^room-[0-9a-f]+@conference\.localhost$/);
  assert.equal(room.get, room.jid);
  assert.equal(room.nick, "Jane Smith");

  // The provisioning call on the wire: headers and the spec's body, extra keys in additionalInfo.
  const provision = requests.find((r) => r.method() === "POST" && r.url() === `${h.info.rest_url}/plugins/restapi/v1/xtrm/users/connection`);
  const headers = provision.headers();
  assert.equal(headers["authorization"], h.info.auth_token);
  assert.equal(headers["contactcenterid"], String(h.info.contactCenterId));
  assert.equal(headers["content-type"], "application/json");
  assert.equal(headers["accountid"], undefined);
  const body = provision.postDataJSON();
  assert.match(body.requestId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.deepEqual({ ...body, requestId: "-" }, {
    requestId: "-",
    userEntity: { name: "Jane Smith", properties: [
      { key: "email", value: "jane@example.com" }, { key: "phone", value: "+919988776655" },
      { key: "nodeflowId", value: String(h.info.nodeflowId) }, { key: "locale", value: "en" }] },
    serviceName: "conference",
    campaignId: h.info.campaignId,
    sendInvitations: true,
    botTransferred: true,
    additionalInfo: { intent: "billing issue", language: "en" },
    botSessionInfo: { userId: "bot-user-id-123", botSessionId: "bot-session-abc" },
  });

  // The agent's greeting is rendered by the handler, which marks it displayed; the SDK sent the
  // receipt the greeting asked for by itself. The agent received both.
  const rendered = await (await page.waitForFunction(() => rendered.length > 0 && rendered[0])).jsonValue();
  assert.equal(rendered.nick, "Agent");
  assert.match(rendered.body, /^Hello Jane Smith/);
  const greeting = await page.evaluate(() => seen("messageReceived").map(([m]) => m).find((m) => m.sender === "agent"));
  await h.agentGets(room.jid, "the displayed marker", (e) => e.marker?.type === "displayed" && e.marker.id === greeting.msgid);
  await h.agentGets(room.jid, "the receipt", (e) => e.receipt_received === greeting.msgid);
  assert.deepEqual(await page.evaluate(() => seen("receiveReceipt")), [[room.jid, greeting.msgid]]);
  assert.deepEqual(await page.evaluate(() => seen("displayedReceipt")), [[room.jid, greeting.msgid]]);
  assert.deepEqual(errors, []);
  await close();
}

/**
 * A text exchange both ways: what the agent received (body, subtype, origin-id, receipt request,
 * markable), the statuses pending → sent → delivered → displayed, the agent's echo as a full message object,
 * the automatic receipt for it (once) and `receiveReceipt`.
 */
export async function textExchange(h) {
  const { page, close } = await h.open();
  const room = await h.startChat(page);
  const msgid = await page.evaluate((jid) => exoChat.sendMessage(jid, "hello there", "normal_text_msg", null), room.jid);
  const [got] = await h.agentGets(room.jid, "the message", (e) => e.kind === "message" && e.body === "hello there");
  assert.equal(got.id, msgid);
  assert.equal(got.origin_id, msgid);
  assert.equal(got.nick, "Jane Smith");
  assert.equal(got.type, "groupchat");
  assert.deepEqual(got.exotel, { subtype: "normal_text_msg" });
  // What lets the agent's client acknowledge it: a XEP-0184 request and a XEP-0333 markable.
  assert.equal(got.receipt_request, true);
  assert.equal(got.markable, true);

  // The agent's script acknowledges with a receipt and a displayed marker.
  await h.waitForEvents(page, "messageStatus", `(s) => s.msgid === ${JSON.stringify(msgid)} && s.status === "displayed"`);
  const statuses = await page.evaluate((id) => seen("messageStatus").map(([s]) => s).filter((s) => s.msgid === id), msgid);
  assert.deepEqual(statuses.map((s) => s.status), ["pending", "sent", "delivered", "displayed"]);
  assert.ok(statuses.every((s) => s.roomJid === room.jid));

  const own = await page.evaluate((id) => seen("messageReceived").map(([m]) => m).find((m) => m.msgid === id), msgid);
  assert.equal(own.sender, "me");
  assert.equal(own.body, "hello there");
  assert.equal(own.subtype, "normal_text_msg");

  const [[echo]] = await h.waitForEvents(page, "messageReceived", `(m) => m.body.startsWith("You said")`);
  assert.deepEqual(Object.keys(echo).sort(), MESSAGE_FIELDS);
  // The room reflects the echo to the agent too (maybe a moment after the page got it).
  const [agentEcho] = await h.agentGets(room.jid, "its own echo", (e) => e.kind === "message" && e.self && e.body === echo.body);
  assert.equal(echo.id, agentEcho.origin_id);
  assert.equal(echo.msgid, agentEcho.id);
  assert.equal(echo.from, `${room.jid}/Agent`);
  assert.equal(echo.from_muc, room.jid);
  assert.equal(echo.nick, "Agent");
  assert.equal(echo.sender, "agent");
  assert.equal(echo.type, "groupchat");
  assert.equal(echo.message, echo.body);
  assert.equal(echo.subtype, "normal_text_msg");
  assert.equal(echo.files, null);
  assert.equal(echo.userRole, "agent");
  assert.equal(echo.chat_state, "active");
  assert.equal(echo.is_markable, true);
  assert.equal(echo.is_marker, false);
  assert.equal(echo.displayed, false);
  assert.equal(echo.chatEnded, false);
  assert.equal(echo.interaction_data, null);
  assert.equal(typeof echo.occupant_id, "string");
  assert.match(echo.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  assert.ok(Math.abs(echo.received - Date.now()) < 60_000);

  // The receipt the echo asked for went out by itself, once; asking again sends nothing.
  await h.agentGets(room.jid, "the automatic receipt", (e) => e.receipt_received === echo.msgid);
  await page.evaluate(([jid, id]) => { exoChat.sendReceiveReceipt(jid, id); exoChat.sendTypingStatus(jid); }, [room.jid, echo.msgid]);
  await h.agentGets(room.jid, "the composing state after it", (e) => e.chat_state === "composing" && !e.self);
  assert.equal((await h.agent.received(room.jid)).filter((e) => e.receipt_received === echo.msgid).length, 1);
  assert.deepEqual(await page.evaluate((id) => seen("receiveReceipt").filter(([, m]) => m === id), echo.msgid), [[room.jid, echo.msgid]]);
  await close();
}

/**
 * Typing both ways: `sendTypingStatus`/`sendPausedStatus` reach the agent; the agent's states fire
 * `typing`, not `messageReceived`.
 */
export async function typingBothWays(h) {
  const { page, close } = await h.open();
  const room = await h.startChat(page);
  await h.agent.auto(room.jid, false);
  await page.evaluate((jid) => exoChat.sendTypingStatus(jid), room.jid);
  await h.agentGets(room.jid, "composing", (e) => e.chat_state === "composing" && !e.self && e.body === null);
  await page.evaluate((jid) => exoChat.sendPausedStatus(jid), room.jid);
  await h.agentGets(room.jid, "paused", (e) => e.chat_state === "paused" && !e.self);

  const before = await page.evaluate(() => seen("messageReceived").length);
  await h.agent.typing(room.jid, "composing");
  await h.waitForEvents(page, "typing", `(t) => t.state === "composing"`);
  await h.agent.typing(room.jid, "paused");
  const typing = await h.waitForEvents(page, "typing", `(t) => t.state === "paused"`);
  assert.deepEqual(typing, [[{ roomJid: room.jid, nick: "Agent", state: "paused" }]]);
  // A body-less state is not a message; a message after it is the next messageReceived.
  await h.agent.say(room.jid, "after typing");
  await h.waitForEvents(page, "messageReceived", `(m) => m.body === "after typing"`);
  assert.equal(await page.evaluate(() => seen("messageReceived").length), before + 1);
  await close();
}

/**
 * `sendDisplayedReceipt` reaches the agent as one displayed marker per message, `displayedReceipt` fires once.
 */
export async function displayedOnce(h) {
  const { page, close } = await h.open();
  const room = await h.startChat(page);
  await h.agent.auto(room.jid, false);
  const { id } = await h.agent.say(room.jid, "please read me");
  // The page's handler marks it displayed on arrival; two more calls do nothing.
  await h.waitForEvents(page, "displayedReceipt", `(r, m) => m === ${JSON.stringify(id)}`);
  await page.evaluate(([jid, m]) => {
    exoChat.sendDisplayedReceipt(jid, m);
    exoChat.sendDisplayedReceipt(jid, m);
    exoChat.sendTypingStatus(jid);
  }, [room.jid, id]);
  await h.agentGets(room.jid, "the composing state after them", (e) => e.chat_state === "composing" && !e.self);
  const markers = (await h.agent.received(room.jid)).filter((e) => e.marker?.type === "displayed" && e.marker.id === id);
  assert.equal(markers.length, 1);
  assert.deepEqual(await page.evaluate((m) => seen("displayedReceipt").filter(([, x]) => x === m), id), [[room.jid, id]]);
  await close();
}

/**
 * A room of the page's own: `createRoom` (its first joiner creates it: on ejabberd, a locked room the
 * SDK configures as instant), `joinRoom` by a second customer, then that occupant's arrival, message and
 * departure (`agentJoined`, `messageReceived`, `agentLeft`); `leaveRoom` makes later sends `not_in_room`.
 */
export async function sideRoom(h) {
  const a = await h.open();
  const b = await h.open();
  await h.startChat(a.page);
  await h.startChat(b.page, { fullName: "Visitor", email: "v@example.com", phone: "2" });
  const side = `side-${Date.now()}@conference.localhost`;
  assert.equal(await a.page.evaluate((jid) => exoChat.createRoom(jid, "Jane"), side), undefined);
  const joined = await b.page.evaluate(async (jid) => {
    const r = await exoChat.joinRoom(jid, "Visitor");
    return { jid: r.jid, nick: r.nick, nicks: r.occupants.map((o) => o.nick).sort(), get: r.get("nick"), exportTranscriptAllowed: r.exportTranscriptAllowed };
  }, side);
  assert.deepEqual(joined, { jid: side, nick: "Visitor", nicks: ["Jane", "Visitor"], get: "Visitor", exportTranscriptAllowed: undefined });
  const [[arrived]] = await h.waitForEvents(a.page, "agentJoined", `(i) => i.roomJid === ${JSON.stringify(side)}`);
  assert.deepEqual({ ...arrived, occupant_id: typeof arrived.occupant_id }, { roomJid: side, nick: "Visitor", role: "participant", occupant_id: "string" });

  await b.page.evaluate((jid) => exoChat.sendMessage(jid, "hi from the side room", "normal_text_msg", null), side);
  const [[msg]] = await h.waitForEvents(a.page, "messageReceived", `(m) => m.from_muc === ${JSON.stringify(side)}`);
  assert.deepEqual([msg.nick, msg.sender, msg.body], ["Visitor", "agent", "hi from the side room"]);

  await b.page.evaluate((jid) => exoChat.leaveRoom(jid), side);
  const [[left]] = await h.waitForEvents(a.page, "agentLeft", `(i) => i.roomJid === ${JSON.stringify(side)}`);
  assert.equal(left.nick, "Visitor");
  const afterLeave = await b.page.evaluate((jid) => { try { exoChat.sendMessage(jid, "x", "normal_text_msg", null); } catch (e) { return e.code; } }, side);
  assert.equal(afterLeave, "not_in_room");
  await a.close();
  await b.close();
}

/**
 * `disconnectConverse` ends the session: the agent sees the customer leave; later calls say `not_connected`.
 */
export async function disconnect(h) {
  const { page, close } = await h.open();
  const room = await h.startChat(page);
  assert.equal(await page.evaluate(() => exoChat.disconnectConverse()), undefined);
  assert.deepEqual(await page.evaluate(() => seen("connectionStatus").at(-1)), [{ status: "offline", reason: null }]);
  assert.equal(await page.evaluate(() => exoChat.getUserStatus()), "offline");
  await h.agentGets(room.jid, "the customer's unavailable presence", (e) => e.kind === "presence" && e.nick === "Jane Smith" && e.type === "unavailable");
  const code = await page.evaluate((jid) => { try { exoChat.sendMessage(jid, "x", "normal_text_msg", null); } catch (e) { return e.code; } }, room.jid);
  assert.equal(code, "not_connected");
  // Without a session both are no-ops.
  assert.equal(await page.evaluate(() => { exoChat.logout(); return exoChat.disconnectConverse(); }), undefined);
  await close();
}

/**
 * The recommended upload: `uploadFileToConverse`, then `sendMessage(..., "media_msg", files)`: progress
 * events, the agent gets the OOB URL, GET serves the same bytes, the handler renders the reflected copy.
 */
export async function uploadRoundTrip(h) {
  const { page, requests, close } = await h.open();
  const room = await h.startChat(page);
  const bytes = randomBytes(200_000);
  const url = await page.evaluate(async ([jid, data]) => {
    const file = new File([new Uint8Array(data)], "notes.bin", { type: "application/octet-stream" });
    const url = await exoChat.uploadFileToConverse(file);
    if (url) exoChat.sendMessage(jid, url, "media_msg", [{ url, name: file.name }]);
    return url;
  }, [room.jid, [...bytes]]);
  const server = UPLOAD[h.info.xmpp_server];
  assert.equal(new URL(url).hostname, "127.0.0.1");
  assert.match(new URL(url).pathname, server.path);
  assert.deepEqual(await bytesAt(url), bytes);

  // One PUT, to the slot, with the header the server's slots name (Prosody refuses it without).
  const puts = requests.filter((r) => r.method() === "PUT");
  assert.deepEqual(puts.map((r) => r.url()), [url]);
  const authorization = puts[0].headers()["authorization"];
  if (server.putAuthorization) assert.match(authorization, server.putAuthorization);
  else assert.equal(authorization, undefined);
  const progress = await page.evaluate(() => seen("uploadProgress").map(([p]) => p));
  assert.ok(progress.length >= 1);
  assert.deepEqual(progress.at(-1), { name: "notes.bin", loaded: bytes.length, total: bytes.length });
  assert.ok(progress.every((p, i) => p.total === bytes.length && (i === 0 || p.loaded >= progress[i - 1].loaded)));

  const [got] = await h.agentGets(room.jid, "the file message", (e) => e.kind === "message" && e.oob.length > 0);
  assert.deepEqual(got.oob, [{ url, desc: "notes.bin" }]);
  assert.equal(got.body, url);
  assert.equal(got.exotel.subtype, "media_msg");
  // The reflected copy is shown to the page as its own media message; the handler renders it.
  const [[own]] = await h.waitForEvents(page, "messageReceived", `(m) => m.sender === "me" && m.subtype === "media_msg"`);
  assert.deepEqual(own.files, [{ url, name: "notes.bin" }]);
  assert.deepEqual(await page.evaluate(() => attachments), [{ url, name: "notes.bin" }]);
  await close();
}

/**
 * `fetchArchivedMessages` replays the REST archive in order with `archived: true`, without what the page
 * already showed.
 */
export async function archiveReplay(h) {
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
}

/**
 * The agent ends the chat: `messageReceived` with `chatEnded` and `interaction_data`, the `chatEnded`
 * event, the feedback page in a new tab; `submitFeedbackResponse` stores the spec's body at the REST server.
 */
export async function chatEndAndFeedback(h) {
  // A nodeflow of its own, so that its feedback config (a new tab) concerns this test alone.
  const nodeflowId = 77;
  const feedbackConfigUrl = `${h.info.cms_url}/configuration/cc-list/${h.info.contactCenterId}/process-list/${h.info.processId}` +
    `/campaigns/${h.info.campaignId}/chat-feedback-schemes-configurations/${h.info.campaignId}_${nodeflowId}_webchat`;
  const newTab = { isFeedbackEnabled: true, openInNewTab: true, feedbackUrl: h.info.feedback_page_url };
  const put = await fetch(feedbackConfigUrl, { method: "PUT", headers: restHeaders(h), body: JSON.stringify(newTab) });
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
  assert.equal(await opened.evaluate(() => window.opener), null, "the feedback page gets no handle on the chat page");
  // Where a browser blocks that tab, the chat-ended banner links to the page too.
  const link = await page.waitForFunction(() => {
    const a = document.getElementById("exotel-chat-icon").shadowRoot.querySelector(".end a");
    return a && !a.hidden && { href: a.href, target: a.target, rel: a.rel };
  });
  assert.deepEqual(await link.jsonValue(), { href: h.info.feedback_page_url, target: "_blank", rel: "noopener noreferrer" });
  assert.deepEqual(await page.evaluate(() => exoChat.getFeedbackConfig()), newTab);

  const response = await page.evaluate(async ([i, c]) => {
    const r = await exoChat.submitFeedbackResponse(i, c, { score: 5, comment: "great support!" });
    return { isResponse: r instanceof Response, ok: r.ok, status: r.status, body: await r.json() };
  }, [interactionId, chatId]);
  assert.deepEqual(response, { isResponse: true, ok: true, status: 200, body: { status: "success" } });
  const stored = await (await fetch(`${h.info.rest_url}/plugins/restapi/v1/xtrm/chat-feedback`, { headers: restHeaders(h) })).json();
  const mine = stored.find((f) => f.chat_id === chatId);
  assert.deepEqual(
    { campaign_id: mine.campaign_id, interaction_id: mine.interaction_id, chat_id: mine.chat_id, feedback: mine.feedback },
    { campaign_id: h.info.campaignId, interaction_id: interactionId, chat_id: chatId, feedback: { score: 5, comment: "great support!" } },
  );
  await close();
}
