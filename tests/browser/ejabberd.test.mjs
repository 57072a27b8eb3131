// The integrator flows of the RELEASE bundle against ejabberd 24.12 instead of Prosody: the same
// stack (REST/CMS stand-in, the slixmpp agent) on the second XMPP implementation, with
// pages/api.html loading the SDK by a classic <script> and running the reference's handoff snippet
// and messageReceived handler as written. The flows are those of api.test.mjs and
// api-media.test.mjs (api-flows.mjs); what the agent received is read through its control API.
// `cargo xtask test` passes the stack's state file in EXOCHAT_STACK_EJABBERD.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { setup } from "./api-harness.mjs";
import {
  archiveReplay, chatEndAndFeedback, disconnect, displayedOnce, handoffSnippet, sideRoom, textExchange, typingBothWays,
  uploadRoundTrip,
} from "./api-flows.mjs";

let h;

before(async () => {
  h = await setup({ xmpp: "ejabberd" });
});

after(async () => {
  await h?.close();
});

test("the stack runs ejabberd, whose BOSH endpoint the page uses", async () => {
  assert.equal(h.info.xmpp_server, "ejabberd");
  assert.match(h.config.converse_bosh_service_url, /^http:\/\/127\.0\.0\.1:\d+\/bosh$/);
});

test("ejabberd: the reference's handoff snippet and messageReceived handler run as written", () => handoffSnippet(h));

test("ejabberd: a text exchange both ways, statuses up to displayed, the automatic receipt", () => textExchange(h));

test("ejabberd: typing both ways", () => typingBothWays(h));

test("ejabberd: sendDisplayedReceipt reaches the agent once", () => displayedOnce(h));

test("ejabberd: uploadFileToConverse then a media_msg; the agent gets the URL, GET serves the same bytes", () => uploadRoundTrip(h));

test("ejabberd: fetchArchivedMessages replays the archive", () => archiveReplay(h));

test("ejabberd: the agent ends the chat (messageReceived chatEnded, chatEnded, feedback)", () => chatEndAndFeedback(h));

test("ejabberd: createRoom (a locked new room, made instant), joinRoom by another customer, leaveRoom", () => sideRoom(h));

test("ejabberd: disconnectConverse ends the session", () => disconnect(h));
