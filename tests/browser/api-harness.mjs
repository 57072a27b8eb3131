// What the API tests share: one local stack (on Prosody unless told), one static server for
// pages/ + dist/, one Chromium, and pages of pages/api.html initialised against the stack.

import { createServer } from "node:net";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "./chromium.mjs";
import { serve } from "./serve.mjs";
import { agentClient, sdkConfig, until, useStack } from "./stack.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const dist = resolve(process.env.EXOCHAT_DIST || join(here, "../../dist"));

/** A loopback port nothing listens on (one was just opened and closed there). */
export async function closedPort() {
  const server = createServer();
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address();
  await new Promise((ok) => server.close(ok));
  return port;
}

/** Starts everything, the stack on the XMPP server `xmpp` (`prosody` or `ejabberd`); `close()` stops it. */
export async function setup({ xmpp = "prosody" } = {}) {
  const stack = await useStack({ xmpp });
  const server = await serve({ "/": [join(here, "pages"), dist] });
  const browser = await launchChromium();
  const info = stack.info;
  const config = sdkConfig(info);

  /**
   * A fresh page (pages/api.html unless `path` says) initialised with the stack's config
   * (`overrides` merged in), once the SDK is ready. It records console messages, page errors and
   * requests.
   */
  async function open(overrides = {}, path = "/api.html") {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.addInitScript((cfg) => { window.EXOCHAT_CONFIG = cfg; }, { ...config, ...overrides });
    const consoleMessages = [];
    const errors = [];
    const requests = [];
    page.on("console", (m) => consoleMessages.push(m));
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("request", (r) => requests.push(r));
    await page.goto(server.url + path);
    await page.evaluate(() => exoChat.ready);
    return { page, context, consoleMessages, errors, requests, close: () => context.close() };
  }

  /** `startChat` with plain parameters in `page`; the room's fields (the object itself stays in `window.room`). */
  async function startChat(page, params = { fullName: "Jane Smith", email: "jane@example.com", phone: "+919988776655" }) {
    return page.evaluate(async (p) => {
      const room = await exoChat.startChat(p);
      window.room = room;
      return { jid: room.jid, nick: room.nick, occupants: room.occupants, exportTranscriptAllowed: room.exportTranscriptAllowed };
    }, params);
  }

  /** Waits until `page` has seen `count` events `name` matching `match` (args => bool); their args. */
  async function waitForEvents(page, name, match = "() => true", count = 1, timeout = 10_000) {
    const handle = await page.waitForFunction(
      ({ name, match, count }) => {
        const found = seen(name).filter((args) => (0, eval)(match)(...args));
        return found.length >= count && found;
      },
      { name, match: String(match), count },
      { timeout },
    );
    return handle.jsonValue();
  }

  const agent = agentClient(info.agent_control_url);

  /** What the agent received in `room` that matches `match` (stanza => bool), once it has `count` of them. */
  function agentGets(room, what, match, count = 1) {
    return until(`the agent to receive ${what}`, async () => {
      const found = (await agent.received(room)).filter(match);
      return found.length >= count && found;
    });
  }

  return {
    info,
    config,
    agent,
    agentGets,
    open,
    startChat,
    waitForEvents,
    close: async () => {
      await browser.close();
      await server.close();
      await stack.stop();
    },
  };
}
