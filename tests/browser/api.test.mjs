// The exoChat API of the RELEASE bundle in headless Chromium against the local chat service: real
// Prosody, the REST server and the simulated agent, whose control API says what it actually
// received. Sessions, rooms, messaging, receipts, markers, typing, errors. One stack for the file,
// a fresh chat (a new provisioned room) per test.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { closedPort, setup } from "./api-harness.mjs";
import { until } from "./stack.mjs";

let h;

before(async () => {
  h = await setup();
});

after(async () => {
  await h?.close();
});

/** What the agent received in `room` that matches `match`, once it has. */
function agentGets(room, what, match, count = 1) {
  return until(`the agent to receive ${what}`, async () => {
    const found = (await h.agent.received(room)).filter(match);
    return found.length >= count && found;
  });
}

const MESSAGE_FIELDS = ["id", "msgid", "body", "from", "from_muc", "from_real_jid", "to", "nick", "occupant_id", "sender",
  "type", "chat_state", "time", "received", "message", "subtype", "files", "userRole", "is_markable", "is_marker",
  "marker_id", "receipt_id", "displayed", "interaction_data", "chatEnded"].sort();

test("the reference's handoff snippet and messageReceived handler run as written", async () => {
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
  await agentGets(room.jid, "the displayed marker", (e) => e.marker?.type === "displayed" && e.marker.id === greeting.msgid);
  await agentGets(room.jid, "the receipt", (e) => e.receipt_received === greeting.msgid);
  assert.deepEqual(await page.evaluate(() => seen("receiveReceipt")), [[room.jid, greeting.msgid]]);
  assert.deepEqual(await page.evaluate(() => seen("displayedReceipt")), [[room.jid, greeting.msgid]]);
  assert.deepEqual(errors, []);
  await close();
});

test("startChat resolves with the room object; connectionStatus, agentJoined and getUserStatus follow the session", async () => {
  const { page, close } = await h.open();
  assert.equal(await page.evaluate(() => exoChat.getUserStatus()), "offline");
  const room = await h.startChat(page);
  assert.equal(room.nick, "Jane Smith");
  assert.equal(room.exportTranscriptAllowed, true);
  const byNick = Object.fromEntries(room.occupants.map((o) => [o.nick, o]));
  assert.deepEqual(Object.keys(byNick).sort(), ["Agent", "Jane Smith"]);
  assert.deepEqual(Object.keys(byNick.Agent).sort(), ["affiliation", "jid", "nick", "occupant_id", "role"]);
  assert.equal(byNick.Agent.role, "moderator");
  assert.equal(byNick.Agent.affiliation, "owner");
  assert.equal(typeof byNick.Agent.occupant_id, "string");
  assert.equal(byNick["Jane Smith"].affiliation, "member");
  // Readable like a Converse room model too.
  const model = await page.evaluate(() => ({
    get: [room.get("jid") === room.jid, room.get("nick"), room.get("occupants").length, room.get("exportTranscriptAllowed")],
    attributes: [room.attributes.jid === room.jid, room.attributes.nick],
  }));
  assert.deepEqual(model, { get: [true, "Jane Smith", 2, true], attributes: [true, "Jane Smith"] });

  assert.deepEqual(await page.evaluate(() => seen("connectionStatus").map(([s]) => s)), [
    { status: "connecting", reason: null }, { status: "online", reason: null }]);
  assert.deepEqual(await page.evaluate(() => seen("agentJoined")), [[
    { roomJid: room.jid, nick: "Agent", role: "moderator", occupant_id: byNick.Agent.occupant_id }]]);
  assert.equal(await page.evaluate(() => exoChat.getUserStatus()), "online");
  await close();
});

test("a non-2xx provisioning answer rejects with the HTTP status text", async () => {
  const { page, close } = await h.open({ auth_token: "RestrictedToken wrong" });
  const rejection = await page.evaluate(() =>
    exoChat.startChat({ fullName: "A", email: "a@example.com", phone: "1" }).then(() => "resolved", (e) => ({ type: typeof e, value: e })));
  assert.deepEqual(rejection, { type: "string", value: "Unauthorized" });
  await close();
});

test("REST success then an unreachable BOSH URL rejects with { errorData, roomJid, customerJid }", async () => {
  const { page, close } = await h.open({ converse_bosh_service_url: `http://127.0.0.1:${await closedPort()}/http-bind/` });
  const rejection = await page.evaluate(() =>
    exoChat.startChat({ fullName: "A", email: "a@example.com", phone: "1" }).then(() => "resolved", (e) => ({
      keys: Object.keys(e).sort(),
      isError: e.errorData instanceof Error,
      code: e.errorData.code,
      message: e.errorData.message,
      roomJid: e.roomJid,
      customerJid: e.customerJid,
    })));
  assert.deepEqual(rejection.keys, ["customerJid", "errorData", "roomJid"]);
  assert.equal(rejection.isError, true);
  assert.equal(rejection.code, "xmpp_failed");
  assert.match(rejection.message, /BOSH request failed/);
  assert.match(rejection.roomJid, /^room-[0-9a-f]+@conference\.localhost$/);
  assert.match(rejection.customerJid, /^cust-[0-9a-f]+@localhost$/);
  // The REST call did succeed: the service provisioned that room for that customer.
  assert.equal((await h.agent.summary(rejection.roomJid)).customer, rejection.customerJid);
  const statuses = await page.evaluate(() => seen("connectionStatus").map(([s]) => s.status));
  assert.deepEqual(statuses, ["connecting", "offline"]);
  assert.equal(await page.evaluate(() => exoChat.getUserStatus()), "offline");
  await close();
});

test("a network failure of the provisioning call rejects with an Error", async () => {
  const { page, close } = await h.open({ chat_service_domain: `http://127.0.0.1:${await closedPort()}` });
  const rejection = await page.evaluate(() =>
    exoChat.startChat({ fullName: "A", email: "a@example.com", phone: "1" }).then(() => "resolved", (e) => ({ isError: e instanceof Error, code: e.code })));
  assert.deepEqual(rejection, { isError: true, code: "network_error" });
  await close();
});

test("sendMessage reaches the agent; own messages come back as sender \"me\" with statuses up to displayed; agent messages carry the full object", async () => {
  const { page, close } = await h.open();
  const room = await h.startChat(page);
  const msgid = await page.evaluate((jid) => exoChat.sendMessage(jid, "hello there", "normal_text_msg", null), room.jid);
  const [got] = await agentGets(room.jid, "the message", (e) => e.kind === "message" && e.body === "hello there");
  assert.equal(got.id, msgid);
  assert.equal(got.origin_id, msgid);
  assert.equal(got.nick, "Jane Smith");
  assert.deepEqual(got.exotel, { subtype: "normal_text_msg" });

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
  const [agentEcho] = await agentGets(room.jid, "its own echo", (e) => e.kind === "message" && e.self && e.body === echo.body);
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
  await agentGets(room.jid, "the automatic receipt", (e) => e.receipt_received === echo.msgid);
  await page.evaluate(([jid, id]) => { exoChat.sendReceiveReceipt(jid, id); exoChat.sendTypingStatus(jid); }, [room.jid, echo.msgid]);
  await agentGets(room.jid, "the composing state after it", (e) => e.chat_state === "composing" && !e.self);
  assert.equal((await h.agent.received(room.jid)).filter((e) => e.receipt_received === echo.msgid).length, 1);
  assert.deepEqual(await page.evaluate((id) => seen("receiveReceipt").filter(([, m]) => m === id), echo.msgid), [[room.jid, echo.msgid]]);
  await close();
});

test("typing both ways: sendTypingStatus/sendPausedStatus reach the agent, the agent's states fire typing (not messageReceived)", async () => {
  const { page, close } = await h.open();
  const room = await h.startChat(page);
  await h.agent.auto(room.jid, false);
  await page.evaluate((jid) => exoChat.sendTypingStatus(jid), room.jid);
  await agentGets(room.jid, "composing", (e) => e.chat_state === "composing" && !e.self && e.body === null);
  await page.evaluate((jid) => exoChat.sendPausedStatus(jid), room.jid);
  await agentGets(room.jid, "paused", (e) => e.chat_state === "paused" && !e.self);

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
});

test("sendDisplayedReceipt sends one displayed marker per message and fires displayedReceipt once", async () => {
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
  await agentGets(room.jid, "the composing state after them", (e) => e.chat_state === "composing" && !e.self);
  const markers = (await h.agent.received(room.jid)).filter((e) => e.marker?.type === "displayed" && e.marker.id === id);
  assert.equal(markers.length, 1);
  assert.deepEqual(await page.evaluate((m) => seen("displayedReceipt").filter(([, x]) => x === m), id), [[room.jid, id]]);
  await close();
});

test("receiveMessage completes a page-made message, fires messageReceived with it and returns it", async () => {
  const { page, close } = await h.open();
  const { returned, delivered, rendered } = await page.evaluate(() => {
    const returned = exoChat.receiveMessage({ from: "r1@conference.example.com/Bot", body: "injected", id: "inj-1" });
    return { returned, delivered: seen("messageReceived").at(-1)[0], rendered: window.rendered.at(-1) };
  });
  assert.deepEqual(returned, delivered);
  assert.equal(returned.from_muc, "r1@conference.example.com");
  assert.equal(returned.nick, "Bot");
  assert.equal(returned.msgid, "inj-1");
  assert.equal(returned.message, "injected");
  assert.equal(returned.sender, "agent");
  assert.equal(returned.type, "groupchat");
  assert.equal(rendered.body, "injected");
  const thrown = await page.evaluate(() => { try { exoChat.receiveMessage("nope"); } catch (e) { return e.code; } });
  assert.equal(thrown, "bad_argument");
  await close();
});

test("createRoom, joinRoom and leaveRoom: another occupant's arrival, message and departure (agentJoined, agentLeft)", async () => {
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
});

test("disconnectConverse ends the session: the agent sees the customer leave, later calls say not_connected", async () => {
  const { page, close } = await h.open();
  const room = await h.startChat(page);
  assert.equal(await page.evaluate(() => exoChat.disconnectConverse()), undefined);
  assert.deepEqual(await page.evaluate(() => seen("connectionStatus").at(-1)), [{ status: "offline", reason: null }]);
  assert.equal(await page.evaluate(() => exoChat.getUserStatus()), "offline");
  await agentGets(room.jid, "the customer's unavailable presence", (e) => e.kind === "presence" && e.nick === "Jane Smith" && e.type === "unavailable");
  const code = await page.evaluate((jid) => { try { exoChat.sendMessage(jid, "x", "normal_text_msg", null); } catch (e) { return e.code; } }, room.jid);
  assert.equal(code, "not_connected");
  // Without a session both are no-ops.
  assert.equal(await page.evaluate(() => { exoChat.logout(); return exoChat.disconnectConverse(); }), undefined);
  await close();
});

test("logout ends the session", async () => {
  const { page, close } = await h.open();
  const room = await h.startChat(page);
  await page.evaluate(() => exoChat.logout());
  await h.waitForEvents(page, "connectionStatus", `(s) => s.status === "offline"`);
  await agentGets(room.jid, "the customer's unavailable presence", (e) => e.kind === "presence" && e.nick === "Jane Smith" && e.type === "unavailable");
  await close();
});

test("bad arguments and calls out of order are clear errors with a code", async () => {
  const { page, close } = await h.open();
  const codes = await page.evaluate(async () => {
    const sync = (f) => { try { f(); return "no throw"; } catch (e) { return `${e.code}: ${e.message}`; } };
    const async_ = (p) => p.then(() => "resolved", (e) => `${e.code}: ${e.message}`);
    return {
      noSession: sync(() => exoChat.sendMessage("r@conference.localhost", "x", "normal_text_msg", null)),
      badRoom: sync(() => exoChat.sendTypingStatus("not a room")),
      badRoomType: sync(() => exoChat.leaveRoom(42)),
      badFiles: sync(() => exoChat.sendMessage("r@conference.localhost", "x", "media_msg", "file.png")),
      noParams: await async_(exoChat.startChat({})),
      joinNoSession: await async_(exoChat.joinRoom("r@conference.localhost", "me")),
      badSize: await async_(exoChat.requestSlotFromConverse("a.txt", -1, "text/plain")),
      badFile: await async_(exoChat.uploadFile("not a file", "http://h/put", "http://h/get")),
    };
  });
  assert.match(codes.noSession, /^not_connected: exoChat\.sendMessage/);
  assert.match(codes.badRoom, /^bad_argument: .*not a room JID/);
  assert.match(codes.badRoomType, /^bad_argument: .*roomJid must be a string/);
  assert.match(codes.badFiles, /^bad_argument: .*files must be/);
  assert.match(codes.noParams, /^bad_argument: exoChat\.startChat: `fullName` is required/);
  assert.match(codes.joinNoSession, /^not_connected: /);
  assert.match(codes.badSize, /^bad_argument: .*size/);
  assert.match(codes.badFile, /^bad_argument: .*File or Blob/);
  await close();
});

test("a connection lost after joining reconnects, rejoins and receives what was said meanwhile", async () => {
  const { page, context, close } = await h.open();
  const room = await h.startChat(page);
  await h.agent.auto(room.jid, false);
  // Every BOSH request now fails: the core's resends give up, the SDK reconnects.
  await context.route(`${h.info.bosh_url}**`, (route) => route.abort());
  // Something to send, so a request meets the outage (the held long-poll would wait a minute).
  await page.evaluate((jid) => exoChat.sendTypingStatus(jid), room.jid);
  await h.waitForEvents(page, "connectionStatus", `(s) => s.status === "reconnecting"`, 1, 30_000);
  await h.agent.say(room.jid, "said while you were away");
  await context.unroute(`${h.info.bosh_url}**`);
  await h.waitForEvents(page, "connectionStatus", `(s) => s.status === "online"`, 2, 30_000);
  await h.waitForEvents(page, "messageReceived", `(m) => m.body === "said while you were away"`);
  const msgid = await page.evaluate((jid) => exoChat.sendMessage(jid, "back again", "normal_text_msg", null), room.jid);
  await agentGets(room.jid, "the message after the reconnection", (e) => e.id === msgid);
  await close();
});
