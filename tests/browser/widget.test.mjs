// The chat widget of the RELEASE bundle (dist/, loaded by a classic <script src>) in Debian's
// Chromium: a page whose own CSS is hostile, a strict Content-Security-Policy page, keyboard-only
// use, axe-core on the open panel, and screenshots of the panel (desktop and 375 px mobile, en
// and hi) saved in target/screenshots/ for a person to look at.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "./chromium.mjs";
import { serve } from "./serve.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const dist = resolve(process.env.EXOCHAT_DIST || join(here, "../../dist"));
const shots = resolve(here, "../../target/screenshots");
const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const STRICT_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; " +
  "connect-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; require-trusted-types-for 'script'";
const DESKTOP = { width: 1280, height: 800 };
const MOBILE = { width: 375, height: 740 };

let browser, server;

before(async () => {
  await mkdir(shots, { recursive: true });
  server = await serve({ "/": [join(here, "pages"), dist] }, { headers: { "/widget-csp.html": { "Content-Security-Policy": STRICT_CSP } } });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** A page of `path` with the widget mounted; records console errors and page errors. */
async function open(path, viewport = DESKTOP) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(server.url + path);
  await page.evaluate(() => exoChat.ready);
  await page.waitForFunction(() => document.getElementById("exotel-chat-icon")?.shadowRoot);
  return { page, errors, close: () => context.close() };
}

/** Evaluates `fn(shadowRoot, arg)` in the page. */
function inShadow(page, fn, arg) {
  return page.evaluate(([src, a]) => {
    const root = document.getElementById("exotel-chat-icon").shadowRoot;
    return (0, eval)(`(${src})`)(root, a);
  }, [fn.toString(), arg]);
}

/** The centre of an element of the shadow root, in page coordinates. */
async function centre(page, selector) {
  return inShadow(page, (root, sel) => {
    const r = root.querySelector(sel).getBoundingClientRect();
    return { x: r.left + r.width / 2, y: r.top + r.height / 2, w: r.width, h: r.height };
  }, selector);
}

/** Whether a real pointer at the centre of `selector` reaches the widget (nothing of the page on top). */
async function reachable(page, selector) {
  const c = await centre(page, selector);
  return page.evaluate(({ x, y }) => document.elementFromPoint(x, y)?.id, c);
}

test("a hostile page's CSS (all: unset, div display:none !important, top z-index layer) does not break the widget", async () => {
  const { page, errors, close } = await open("/widget-hostile.html");
  const icon = await centre(page, ".ic");
  assert.deepEqual([icon.w, icon.h], [56, 56], "the icon keeps its size");
  assert.equal(await reachable(page, ".ic"), "exotel-chat-icon", "the icon is on top of the page's highest layer");
  await page.mouse.click(icon.x, icon.y);
  const panel = await centre(page, ".p");
  assert.ok(panel.w >= 360 && panel.h >= 400, `the panel opens at its size (${panel.w}×${panel.h})`);
  assert.equal(await reachable(page, ".p"), "exotel-chat-icon");
  const look = await inShadow(page, (root) => {
    const style = (sel, prop) => getComputedStyle(root.querySelector(sel))[prop];
    return { font: style(".w", "fontSize"), color: style("label", "color"), header: style(".hd", "backgroundColor"), input: style("#fn", "display") };
  });
  assert.deepEqual(look, { font: "14px", color: "rgb(29, 39, 51)", header: "rgb(25, 45, 63)", input: "block" }, "the page's CSS does not reach inside");
  // The form works with the keyboard: focus is in the first field.
  await page.keyboard.type("Asha Rao");
  assert.equal(await inShadow(page, (root) => root.querySelector("#fn").value), "Asha Rao");
  assert.deepEqual(errors, []);
  await close();
});

test("under a strict CSP with Trusted Types the widget is styled and works, with no violation", async () => {
  const { page, errors, close } = await open("/widget-csp.html");
  const icon = await centre(page, ".ic");
  await page.mouse.click(icon.x, icon.y);
  const styled = await inShadow(page, (root) => ({
    header: getComputedStyle(root.querySelector(".hd")).backgroundColor,
    radius: getComputedStyle(root.querySelector(".p")).borderRadius,
    open: !root.querySelector(".p").hidden,
  }));
  assert.deepEqual(styled, { header: "rgb(25, 45, 63)", radius: "14px", open: true });
  assert.deepEqual(await page.evaluate(() => violations), []);
  assert.deepEqual(errors, []);
  await close();
});

test("keyboard only: Tab reaches the icon, Enter opens, the form is labelled and reachable, Escape closes", async () => {
  const { page, close } = await open("/widget.html");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "exotel-chat-icon");
  assert.equal(await inShadow(page, (root) => root.activeElement?.className), "ic");
  const ring = await inShadow(page, (root) => getComputedStyle(root.activeElement).outlineStyle);
  assert.equal(ring, "solid", "focus is visible");
  await page.keyboard.press("Enter");
  const focused = () => inShadow(page, (root) => {
    const e = root.activeElement;
    return e.id || e.getAttribute("aria-label") || e.textContent;
  });
  const order = [await focused()];
  for (const key of ["Tab", "Tab", "Tab", "Shift+Tab", "Shift+Tab", "Shift+Tab", "Shift+Tab", "Shift+Tab"]) {
    await page.keyboard.press(key);
    order.push(await focused());
  }
  assert.deepEqual(order, ["fn", "fe", "fp", "Start chat", "fp", "fe", "fn", "Minimise chat", "Open chat"]);
  await page.keyboard.press("Escape");
  assert.equal(await inShadow(page, (root) => root.querySelector(".p").hidden), true);
  assert.equal(await inShadow(page, (root) => root.activeElement?.className), "ic", "focus returns to the icon");
  await close();
});

/** axe-core on the widget's shadow tree: the violations that are serious or critical. */
async function axe(page) {
  await page.addScriptTag({ path: axePath });
  return page.evaluate(async () => {
    const result = await axe.run({ include: [["#exotel-chat-icon"]] }, { resultTypes: ["violations"] });
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" > ")).join(", ")}`);
  });
}

for (const locale of ["en", "hi"]) {
  test(`axe-core finds no serious or critical violation in the open panel (${locale}); screenshots`, async () => {
    for (const [name, viewport] of [["desktop", DESKTOP], ["mobile", MOBILE]]) {
      const { page, errors, close } = await open(`/widget.html?locale=${locale}`, viewport);
      await inShadow(page, (root) => root.querySelector(".ic").click());
      await page.screenshot({ path: join(shots, `widget-prechat-${name}-${locale}.png`) });
      if (name === "mobile") {
        const panel = await centre(page, ".p");
        assert.deepEqual([panel.w, panel.h], [viewport.width, viewport.height], "below 480 px the panel takes the screen");
      }
      assert.deepEqual(await axe(page), []);
      assert.deepEqual(errors, []);
      await close();
    }
  });
}
