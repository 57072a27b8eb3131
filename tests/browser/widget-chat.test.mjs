// The widget end to end: the RELEASE bundle by <script> tag, the real local stack (Prosody, the
// REST/CMS server, the simulated agent), a customer who only uses the keyboard. Open, pre-chat
// form, chat, ticks, typing, an image / audio / PDF from the agent, an upload with progress,
// hostile strings from the agent, chat end and the rating form reaching the REST server; axe-core
// on the chat; screenshots of the chat (desktop and 375 px, en and hi) in target/screenshots/.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { crc32, deflateSync } from "node:zlib";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "./chromium.mjs";
import { serve } from "./serve.mjs";
import { agentClient, sdkConfig, until, useStack } from "./stack.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const dist = resolve(process.env.EXOCHAT_DIST || join(here, "../../dist"));
const shots = resolve(here, "../../target/screenshots");
const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const DESKTOP = { width: 1280, height: 800 };
const MOBILE = { width: 375, height: 740 };
/** A `w`×`h` PNG of two colour bands (for a thumbnail a person can see in the screenshots). */
function png(w, h, [r1, g1, b1], [r2, g2, b2]) {
  const rows = [];
  for (let y = 0; y < h; y++) {
    const [r, g, b] = y < h / 2 ? [r1, g1, b1] : [r2, g2, b2];
    rows.push(Buffer.from([0, ...Array.from({ length: w }, () => [r, g, b]).flat()]));
  }
  const chunk = (type, data) => {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write(type, 4, "latin1");
    data.copy(out, 8);
    out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(w, 0);
  header.writeUInt32BE(h, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk("IHDR", header),
    chunk("IDAT", deflateSync(Buffer.concat(rows))), chunk("IEND", Buffer.alloc(0))]);
}
// Files: the widget judges them by their URL, so the audio need not be real audio.
const PNG = png(240, 150, [47, 128, 237], [242, 201, 76]);
const PDF = Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");
const XSS = "<img src=x onerror=\"window.pwned=1\"><script>window.pwned=2</script>";

let stack, agent, server, browser, config;

before(async () => {
  await mkdir(shots, { recursive: true });
  stack = await useStack();
  const info = stack.info;
  agent = agentClient(info.agent_control_url);
  config = sdkConfig(info);
  server = await serve({ "/": [join(here, "pages"), dist] });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
  await stack?.stop();
});

/** The widget page against the stack; records errors, dialogs and what the widget showed. */
async function open(locale, viewport = DESKTOP) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await page.addInitScript((cfg) => { window.EXOCHAT_CONFIG = cfg; }, config);
  const errors = [];
  const dialogs = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("dialog", (d) => { dialogs.push(d.message()); d.dismiss(); });
  await page.goto(`${server.url}/widget.html?locale=${locale}`);
  await page.evaluate(() => exoChat.ready);
  await page.waitForFunction(() => document.getElementById("exotel-chat-icon")?.shadowRoot);
  // Fleeting states (typing, the upload bar) are recorded as they happen.
  await shadow(page, (root) => {
    window.seen = { typing: [], upload: [] };
    new MutationObserver(() => {
      const typing = root.querySelector(".ty").textContent;
      if (typing) seen.typing.push(typing);
      const up = root.querySelector(".up");
      if (!up.hidden) seen.upload.push([up.querySelector("span").textContent, up.querySelector("progress").value]);
    }).observe(root, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  return { page, errors, dialogs, close: () => context.close() };
}

/** Runs `fn(shadowRoot, arg)` in the page. */
function shadow(page, fn, arg) {
  return page.evaluate(([src, a]) => (0, eval)(`(${src})`)(document.getElementById("exotel-chat-icon").shadowRoot, a), [fn.toString(), arg]);
}

/** Waits until `fn(shadowRoot, arg)` is truthy in the page; its value. */
async function waitIn(page, what, fn, arg, timeout = 15_000) {
  return until(what, () => shadow(page, fn, arg), timeout);
}

/** Keyboard only: Tab to the icon, open it, fill the pre-chat form, submit; the room the service made. */
async function startFromTheForm(page, name) {
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  await page.keyboard.type(name);
  await page.keyboard.press("Tab");
  await page.keyboard.type("customer@example.com");
  await page.keyboard.press("Tab");
  await page.keyboard.type("+91 98000 00000");
  await page.keyboard.press("Enter");
  await waitIn(page, "the chat view", (root) => root.querySelector(".p").dataset.v === "chat");
  const room = await until("the agent's room for " + name, async () => {
    const rooms = await (await fetch(stack.info.agent_control_url + "/rooms")).json();
    return rooms.find((r) => r.name === name)?.room;
  });
  await waitIn(page, "the agent's greeting", (root) => root.querySelector(".log .agent .tx"));
  return room;
}

/** Types a message and sends it with Enter (focus is in the composer). */
async function say(page, text) {
  await page.keyboard.type(text);
  await page.keyboard.press("Enter");
}

async function axe(page) {
  await page.addScriptTag({ path: axePath });
  return page.evaluate(async () => {
    const result = await axe.run({ include: [["#exotel-chat-icon"]] }, { resultTypes: ["violations"] });
    return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" > ")).join(", ")}`);
  });
}

test("a customer chats with the agent using only the keyboard, from the icon to the rating", async () => {
  const { page, errors, dialogs, close } = await open("en");
  const name = "Widget Tester " + Date.now();
  const room = await startFromTheForm(page, name);
  assert.equal(await shadow(page, (root) => root.activeElement?.tagName), "TEXTAREA", "focus waits in the composer");
  await waitIn(page, "the agent named in the header", (root) => root.querySelector("h2").textContent === "Agent" &&
    root.querySelector(".st").dataset.s === "online");

  // A message: its ticks go to "read" (the agent's receipt, then its displayed marker), the
  // agent types (seen as it happens) and answers.
  await say(page, "Hello, my internet is down");
  await waitIn(page, "our message read", (root) => [...root.querySelectorAll(".log .me")].some((r) =>
    r.querySelector(".tx")?.textContent === "Hello, my internet is down" && r.querySelector(".tk")?.dataset.s === "displayed"));
  await waitIn(page, "the agent's echo", (root) => [...root.querySelectorAll(".log .agent .tx")].length >= 2);
  assert.ok((await page.evaluate(() => seen.typing)).some((t) => t.endsWith("is typing…")), "the typing line showed");
  const greeting = await shadow(page, (root) => root.querySelector(".log .agent .tx").textContent);
  const displayed = await until("our displayed marker for the greeting", async () =>
    (await agent.received(room)).find((s) => s.marker?.type === "displayed"));
  assert.ok(displayed.marker.id, `the widget marked "${greeting}" displayed`);

  // Media from the agent: an image thumbnail (asked for), then audio and a PDF.
  await say(page, "Please send the file");
  await waitIn(page, "an image", (root) => root.querySelector(".log a.im img")?.naturalWidth > 0);
  await agent.file(room, "voice-note.ogg", Buffer.from("OggS fake"), "audio/ogg");
  await agent.file(room, "terms.pdf", PDF, "application/pdf");
  const media = await waitIn(page, "audio and a PDF chip", (root) => {
    const audio = root.querySelector(".log audio");
    const chip = [...root.querySelectorAll(".log a.chip")].find((a) => a.textContent.includes("terms.pdf"));
    return audio && chip && { audio: audio.src, controls: audio.controls, chip: chip.href, rel: chip.rel, target: chip.target };
  });
  assert.match(media.audio, /^http:\/\/127\.0\.0\.1:\d+\/.*voice-note\.ogg$/);
  assert.equal(media.controls, true);
  assert.match(media.chip, /terms\.pdf$/);
  assert.deepEqual([media.rel, media.target], ["noopener noreferrer", "_blank"]);

  // Hostile strings from the agent stay text.
  await agent.say(room, `${XSS} javascript:alert(1)`);
  await agent.file(room, `${XSS}.pdf`, PDF, "application/pdf");
  await waitIn(page, "the hostile message", (root, x) => [...root.querySelectorAll(".log .tx")].some((t) => t.textContent.startsWith(x)), XSS);
  await waitIn(page, "the hostile file name", (root, x) => [...root.querySelectorAll(".chip b")].some((b) => b.textContent === `${x}.pdf`), XSS);
  const hostile = await shadow(page, (root) => ({
    injected: root.querySelectorAll("script, img[src=x], [onerror]").length,
    badLinks: [...root.querySelectorAll("[href], [src]")].map((e) => e.getAttribute("href") || e.getAttribute("src")).filter((u) => !/^https?:\/\//.test(u)),
  }));
  assert.deepEqual(hostile, { injected: 0, badLinks: [] });
  assert.equal(await page.evaluate(() => window.pwned), undefined);

  // An upload: the attach control's file input (what the picker fills), a progress bar, then the
  // file as our message, which the agent receives as out-of-band data.
  await page.locator("#exotel-chat-icon input[type=file]").setInputFiles({ name: "screenshot.png", mimeType: "image/png", buffer: PNG });
  await waitIn(page, "our image", (root) => [...root.querySelectorAll(".log .me a.im img")].some((i) => i.alt === "screenshot.png" && i.naturalWidth === 240));
  const upload = await page.evaluate(() => seen.upload);
  assert.ok(upload.some(([label]) => label.startsWith("Uploading screenshot.png")), JSON.stringify(upload));
  await until("the agent got our file", async () => (await agent.received(room)).find((s) => s.oob?.some((o) => o.url.endsWith("screenshot.png"))));

  assert.deepEqual(await axe(page), [], "the chat with media has no serious or critical violation");
  await page.screenshot({ path: join(shots, "widget-chat-desktop-en.png") });
  await page.setViewportSize(MOBILE);
  await page.screenshot({ path: join(shots, "widget-chat-mobile-en.png") });
  await page.setViewportSize(DESKTOP);

  // The end: the banner, the input disabled, then the built-in rating form (the CMS says
  // feedback is on, not in a new tab), rated with the arrow keys, reaching the REST server.
  await say(page, "bye");
  await waitIn(page, "the chat-ended banner", (root) => !root.querySelector(".end").hidden);
  assert.equal(await shadow(page, (root) => root.querySelector(".cp textarea").disabled), true);
  await waitIn(page, "the rating form", (root) => !root.querySelector("form.fb").hidden && root.activeElement?.id === "r1");
  for (let i = 0; i < 4; i++) await page.keyboard.press("ArrowRight");
  await page.keyboard.press("Tab");
  const comment = "Quick and kind " + Date.now();
  await page.keyboard.type(comment);
  assert.deepEqual(await axe(page), [], "the rating form has no serious or critical violation");
  await page.screenshot({ path: join(shots, "widget-feedback-desktop-en.png") });
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  await waitIn(page, "the thanks", (root) => root.querySelector(".fb .msg").textContent === "Thank you for your feedback!");
  const stored = await until("the feedback on the server", async () => {
    const res = await fetch(stack.info.rest_url + "/plugins/restapi/v1/xtrm/chat-feedback", {
      headers: { Authorization: stack.info.auth_token, contactCenterId: String(stack.info.contactCenterId) },
    });
    return (await res.json()).find((f) => JSON.stringify(f).includes(comment));
  });
  assert.match(JSON.stringify(stored.feedback), /5/);

  assert.deepEqual(dialogs, []);
  assert.deepEqual(errors, []);
  await close();
});

test("in Hindi, on a 375 px phone: the chat takes the screen, reads in Hindi, passes axe-core", async () => {
  const { page, errors, close } = await open("hi", MOBILE);
  const room = await startFromTheForm(page, "हिंदी परीक्षक " + Date.now());
  await say(page, "नमस्ते, मेरा इंटरनेट बंद है");
  await waitIn(page, "the agent's echo", (root) => root.querySelectorAll(".log .agent .tx").length >= 2);
  await agent.file(room, "bill.png", PNG, "image/png");
  await waitIn(page, "the image", (root) => root.querySelector(".log a.im img")?.naturalWidth === 240);
  const view = await shadow(page, (root) => ({
    lang: root.querySelector(".w").lang,
    placeholder: root.querySelector(".cp textarea").placeholder,
    rect: root.querySelector(".p").getBoundingClientRect().toJSON(),
    tick: root.querySelector(".log .me .tk .sr").textContent,
  }));
  assert.equal(view.lang, "hi");
  assert.equal(view.placeholder, "संदेश लिखें");
  assert.deepEqual([view.rect.width, view.rect.height], [MOBILE.width, MOBILE.height]);
  assert.ok(["भेजा गया", "पहुँच गया", "पढ़ लिया गया"].includes(view.tick), view.tick);
  assert.deepEqual(await axe(page), []);
  await page.screenshot({ path: join(shots, "widget-chat-mobile-hi.png") });
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: join(shots, "widget-chat-desktop-hi.png") });
  assert.deepEqual(errors, []);
  await close();
});
