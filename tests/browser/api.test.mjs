// The exoChat API of the RELEASE bundle in headless Chromium against the local chat service: real
// Prosody, the REST server and the simulated agent, whose control API says what it actually
// received. Sessions, rooms, messaging, receipts, markers, typing, errors. One stack for the file,
// a fresh chat (a new provisioned room) per test.
// The flows that run on ejabberd too (ejabberd.test.mjs) are in api-flows.mjs.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { closedPort, setup } from "./api-harness.mjs";
import { disconnect, displayedOnce, handoffSnippet, sideRoom, textExchange, typingBothWays } from "./api-flows.mjs";

let h;

before(async () => {
  h = await setup();
});

after(async () => {
  await h?.close();
});

test("the reference's handoff snippet and messageReceived handler run as written", () => handoffSnippet(h));

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

test("sendMessage reaches the agent; own messages come back as sender \"me\" with statuses up to displayed; agent messages carry the full object", () => textExchange(h));

test("typing both ways: sendTypingStatus/sendPausedStatus reach the agent, the agent's states fire typing (not messageReceived)", () => typingBothWays(h));

test("sendDisplayedReceipt sends one displayed marker per message and fires displayedReceipt once", () => displayedOnce(h));

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

test("createRoom, joinRoom and leaveRoom: another occupant's arrival, message and departure (agentJoined, agentLeft)", () => sideRoom(h));

test("disconnectConverse ends the session: the agent sees the customer leave, later calls say not_connected", () => disconnect(h));

test("logout ends the session", async () => {
  const { page, close } = await h.open();
  const room = await h.startChat(page);
  await page.evaluate(() => exoChat.logout());
  await h.waitForEvents(page, "connectionStatus", `(s) => s.status === "offline"`);
  await h.agentGets(room.jid, "the customer's unavailable presence", (e) => e.kind === "presence" && e.nick === "Jane Smith" && e.type === "unavailable");
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
  await h.agentGets(room.jid, "the message after the reconnection", (e) => e.id === msgid);
  await close();
});
