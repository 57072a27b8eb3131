// The RELEASE bundle (dist/, built by `cargo xtask build`) in headless Chromium: loaded by a plain
// classic <script src>, called in the same tick as the tag, and failing clearly when the .wasm
// cannot load. Run by `cargo xtask test`, or `node --test tests/browser/` after a build.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "./chromium.mjs";
import { serve } from "./serve.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const dist = resolve(process.env.EXOCHAT_DIST || join(here, "../../dist"));
const pages = join(here, "pages");
const STRICT_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; " +
  "connect-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; require-trusted-types-for 'script'";

let browser, server, scratch;

before(async () => {
  // /broken/: the scripts without the .wasm; /not-wasm/: an HTML page where the .wasm should be.
  scratch = await mkdtemp(join(tmpdir(), "exochat-browser-"));
  const broken = join(scratch, "broken");
  const notWasm = join(scratch, "not-wasm");
  for (const dir of [broken, notWasm]) {
    await mkdir(dir);
    for (const f of ["exotel-chat-sdk.js", "exochat.js"]) await copyFile(join(dist, f), join(dir, f));
  }
  const octet = join(scratch, "octet");
  await mkdir(octet);
  for (const f of ["exotel-chat-sdk.js", "exochat.js", "exochat_bg.wasm"]) await copyFile(join(dist, f), join(octet, f));
  // As an SPA-style server does: an HTML page where the .wasm should be.
  await writeFile(join(notWasm, "exochat_bg.wasm"), "<!doctype html><title>Home</title>");
  server = await serve(
    { "/": [pages, dist], "/broken/": [broken, pages], "/not-wasm/": [notWasm, pages], "/octet/": [octet, pages] },
    {
      headers: {
        "/csp.html": { "Content-Security-Policy": STRICT_CSP },
        "/not-wasm/exochat_bg.wasm": { "Content-Type": "text/html" },
        "/octet/exochat_bg.wasm": { "Content-Type": "application/octet-stream" },
      },
    },
  );
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** A fresh page that records console errors and every request it makes. */
async function open(path, initScript) {
  const context = await browser.newContext();
  const page = await context.newPage();
  if (initScript) await page.addInitScript(initScript);
  const errors = [];
  const requests = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("request", (r) => requests.push(r.url()));
  await page.goto(server.url + path);
  return { page, errors, requests, close: () => context.close() };
}

test("a classic script tag defines exoChat at once and replays the queued calls in order", async () => {
  const { page, errors, requests, close } = await open("/index.html");
  await page.waitForFunction(() => log.includes("ready") && log.some((l) => l.startsWith("startChat")), null, { timeout: 15000 });
  assert.equal(await page.evaluate(() => definedAtOnce), true);
  const log = await page.evaluate(() => log);
  // on, on, triggerEvent (both callbacks), unsubscribe, triggerEvent (the second only); then the
  // settled startChat Promise and `ready`, in either order.
  assert.deepEqual(log.slice(0, 3), ["greet:xy", "second", "second"]);
  assert.deepEqual(log.slice(3).sort(), ["ready", "startChat:exoChat.startChat: `fullName` is required"]);

  const icon = await page.evaluate(() => {
    const el = document.getElementById("exotel-chat-icon");
    const button = el?.shadowRoot?.querySelector("button");
    return el && { parent: el.parentElement.tagName, color: getComputedStyle(button).backgroundColor, hidden: el.hidden };
  });
  assert.deepEqual(icon, { parent: "BODY", color: "rgb(10, 125, 90)", hidden: false });

  // After ready, calls go straight through: initialize throws synchronously.
  const second = await page.evaluate(() => { try { exoChat.initialize({}); return "no throw"; } catch (e) { return e.code; } });
  assert.equal(second, "already_initialized");
  assert.equal(await page.evaluate(() => exoChat.getFileName("https://h/a/Ann%C3%A9e.PDF?x#y")), "Année.PDF");
  assert.equal(await page.evaluate(() => exoChat.isDocumentPdf("https://h/a/Ann%C3%A9e.PDF?x#y")), true);

  const origin = new URL(server.url).origin;
  assert.deepEqual(requests.filter((u) => new URL(u).origin !== origin), [], "no third-party host");
  assert.ok(requests.includes(`${origin}/exochat_bg.wasm`));
  assert.deepEqual(errors, []);
  await close();
});

test("the .wasm is requested while the glue is still downloading, not a round trip after it", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  let wasmRequested;
  const sawWasm = new Promise((resolve) => { wasmRequested = resolve; });
  page.on("request", (r) => { if (r.url().endsWith("/exochat_bg.wasm")) wasmRequested(true); });
  // The glue is held until the .wasm has been requested; a loader that waited for the glue first
  // would never request it meanwhile, and the hold ends after 5 s with `false`.
  let overlapped;
  await page.route("**/exochat.js", async (route) => {
    overlapped = await Promise.race([sawWasm, new Promise((resolve) => setTimeout(resolve, 5000, false))]);
    await route.continue();
  });
  await page.goto(server.url + "/index.html");
  await page.waitForFunction(() => log.includes("ready"), null, { timeout: 15000 });
  assert.equal(overlapped, true);
  await context.close();
});

// The method table of the contract (shared/spec/exochat-reference.md).
const CONTRACT = ["initialize", "startChat", "logout", "getUserStatus", "createRoom", "joinRoom", "leaveRoom",
  "sendMessage", "receiveMessage", "fetchArchivedMessages", "sendTypingStatus", "sendPausedStatus",
  "sendDisplayedReceipt", "sendReceiveReceipt", "showConverseChat", "hideConverseChat", "disconnectConverse",
  "uploadFileToConverse", "requestSlotFromConverse", "uploadFile", "discoverFileUploadJid",
  "requestUploadServiceInfo", "isImageUrl", "isAudioUrl", "isVideoUrl", "isDocumentPdf", "getFileName",
  "getFeedbackConfig", "submitFeedbackResponse", "on", "triggerEvent"];

test("the facade has every method of the contract, each backed by the WebAssembly Sdk", async () => {
  const { page, close } = await open("/index.html");
  await page.evaluate(() => exoChat.ready);
  const { facade, unknown, missing } = await page.evaluate(async () => {
    // A second, uninitialized Sdk: every method called without arguments returns, throws or
    // rejects with its own error (no side effect); only a name it lacks says "no such method".
    const glue = await import("/exochat.js");
    const sdk = new glue.Sdk();
    const says = async (name) => {
      try {
        await sdk.call(name, []);
        return "";
      } catch (e) {
        return String(e && e.message);
      }
    };
    const facade = Object.keys(exoChat).filter((k) => k !== "ready").sort();
    const missing = [];
    for (const name of facade) if ((await says(name)).includes("no such method")) missing.push(name);
    const unknown = await says("initialise");
    sdk.free();
    return { facade, unknown, missing };
  });
  assert.deepEqual(facade, [...CONTRACT, "off"].sort());
  assert.deepEqual(missing, []);
  assert.match(unknown, /no such method/);
  await close();
});

test("a bad config queued before ready is reported and makes later calls fail with the same Error", async () => {
  const { page, errors, close } = await open("/bad-config.html");
  await page.waitForFunction(() => log.length > 0, null, { timeout: 15000 });
  const result = await page.evaluate(() => {
    let thrown;
    try { exoChat.isImageUrl("a.png"); } catch (e) { thrown = e; }
    return { log, same: thrown === laterError, message: laterError.message, key: laterError.key, code: laterError.code };
  });
  assert.deepEqual(result.log, ["rejected"]);
  assert.equal(result.same, true);
  assert.equal(result.code, "invalid_config");
  assert.equal(result.key, "cms_service_domain");
  assert.match(result.message, /cms_service_domain/);
  assert.ok(errors.some((e) => e.includes("cms_service_domain")), errors.join(" | "));
  await close();
});

test("under a strict CSP with Trusted Types the SDK loads and draws its icon", async () => {
  const { page, errors, close } = await open("/csp.html");
  await page.evaluate(() => exoChat.ready);
  await page.waitForSelector("#exotel-chat-icon");
  const color = await page.evaluate(() => getComputedStyle(document.getElementById("exotel-chat-icon").shadowRoot.querySelector("button")).backgroundColor);
  assert.equal(color, "rgb(25, 45, 63)");
  assert.deepEqual(await page.evaluate(() => violations), []);
  assert.deepEqual(errors, []);
  await close();
});

test("the ESM entry works with default and named imports", async () => {
  const { page, errors, close } = await open("/esm.html");
  const got = await page.evaluate(() => window.esm);
  assert.deepEqual(got, { sameObject: true, image: true, name: "my file.pdf", noGlobal: true });
  assert.deepEqual(errors, []);
  await close();
});

test("a .wasm served with a generic Content-Type still loads (without streaming compilation)", async () => {
  const { page, close } = await open("/octet/probe.html");
  assert.equal(await page.evaluate(() => window.outcome), "resolved");
  assert.equal(await page.evaluate(() => window.queued.then((e) => e.code)), "not_initialized");
  await close();
});

const LOAD_FAILURES = [
  ["no .wasm in the folder", "/broken/probe.html", null, /exochat_bg\.wasm \(HTTP 404\)/],
  ["an HTML page as the .wasm", "/not-wasm/probe.html", null, /not a loadable WebAssembly module \(served as text\/html/],
  ["no WebAssembly in the browser", "/probe.html", () => { delete window.WebAssembly; }, /no WebAssembly support/],
];

for (const [what, path, initScript, why] of LOAD_FAILURES) {
  test(`${what}: ready rejects with a clear Error, and so do queued calls`, async () => {
    const { page, close } = await open(path, initScript);
    const result = await page.evaluate(async () => {
      const e = await window.outcome;
      const q = await window.queued;
      return { message: e.message, code: e.code, sameForQueued: q === e, isError: e instanceof Error };
    });
    assert.equal(result.isError, true);
    assert.equal(result.code, "load_failed");
    assert.match(result.message, why);
    assert.equal(result.sameForQueued, true);
    await close();
  });
}
