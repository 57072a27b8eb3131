// The local chat service (real Prosody or ejabberd, the REST/CMS server, the simulated agent) for the API
// tests, and small clients of it.
//
// `cargo xtask test` starts one stack per XMPP server for the whole browser tier and names their
// state files in EXOCHAT_STACK (Prosody) and EXOCHAT_STACK_EJABBERD. Run alone
// (`node --test tests/browser/api.test.mjs`), a test file starts its own with
// `cargo run -p exochat-service -- stack --xmpp <server>` and stops it (SIGTERM) when done.

import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** The environment variable naming the state file of xtask's stack on each XMPP server. */
const STACK_ENV = { prosody: "EXOCHAT_STACK", ejabberd: "EXOCHAT_STACK_EJABBERD" };

/**
 * Resolves with `{ info, stop }`: the state (URLs, token, ids) of a stack on the XMPP server `xmpp`
 * (`prosody` or `ejabberd`), and how to stop it.
 */
export async function useStack({ xmpp = "prosody" } = {}) {
  const env = STACK_ENV[xmpp];
  if (!env) throw new Error(`unknown XMPP server ${xmpp}`);
  if (process.env[env]) {
    return { info: JSON.parse(await readFile(process.env[env], "utf8")), stop: async () => {} };
  }
  const dir = await mkdtemp(join(tmpdir(), "exochat-stack-"));
  const stateFile = join(dir, "stack.json");
  // `cargo run` execs the binary on Unix, so the child's PID is the service's.
  const child = spawn("cargo", ["run", "--quiet", "-p", "exochat-service", "--", "stack", "--xmpp", xmpp, "--ports", "free",
    "--agent-delay-ms", "50", "--state-file", stateFile], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
  const exited = new Promise((ok) => child.once("exit", ok));
  const deadline = Date.now() + 180_000;
  let info;
  while (!info) {
    try {
      info = JSON.parse(await readFile(stateFile, "utf8"));
    } catch {
      if (child.exitCode !== null) throw new Error(`exochat-service stack exited with ${child.exitCode} before it was ready`);
      if (Date.now() > deadline) throw new Error("exochat-service stack not ready after 180 s");
      await new Promise((ok) => setTimeout(ok, 100));
    }
  }
  return {
    info,
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The `exoChat.initialize` config that points a page at the stack described by `info`. */
export function sdkConfig(info) {
  return {
    chat_service_domain: info.rest_url,
    cms_service_domain: info.cms_url,
    converse_bosh_service_url: info.bosh_url,
    auth_token: info.auth_token,
    contactCenterId: info.contactCenterId,
    campaignId: info.campaignId,
    nodeflowId: info.nodeflowId,
    processId: info.processId,
  };
}

/** A client of the agent's control API (`service/README.md`). */
export function agentClient(baseUrl) {
  const call = async (method, path, body) => {
    const res = await fetch(baseUrl + path, {
      method,
      headers: body ? { "Content-Type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    const data = await res.json();
    if (!res.ok) throw new Error(`agent ${method} ${path}: HTTP ${res.status} ${JSON.stringify(data)}`);
    return data;
  };
  const room = (jid) => `/rooms/${encodeURIComponent(jid)}`;
  return {
    /** Every stanza the agent got in `jid`, parsed. */
    received: (jid) => call("GET", room(jid) + "/received"),
    summary: (jid) => call("GET", room(jid)),
    history: (jid) => call("GET", room(jid) + "/history"),
    join: (jid, opts = {}) => call("POST", "/rooms", { room: jid, ...opts }),
    say: (jid, body, opts = {}) => call("POST", room(jid) + "/say", { body, ...opts }),
    typing: (jid, state) => call("POST", room(jid) + "/typing", { state }),
    file: (jid, name, bytes, contentType) =>
      call("POST", room(jid) + "/file", { name, content_base64: Buffer.from(bytes).toString("base64"), content_type: contentType }),
    end: (jid, chatId, interactionId) => call("POST", room(jid) + "/end", { chatId, interaction_id: interactionId }),
    auto: (jid, enabled) => call("POST", room(jid) + "/auto", { enabled }),
  };
}

/** Polls `check` (async, returns a value or something falsy) until it returns a truthy value. */
export async function until(what, check, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await check();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
}
