// A tiny static server for the browser tests (and `cargo xtask demo` until the chat service serves
// the pages). Each mount maps a URL prefix to folders searched in order; `.wasm` is served as
// application/wasm so browsers compile it while it streams.
//
// As a module: `const server = await serve({ "/": ["pages", "dist"] }, { headers })`, then
// `server.url` and `await server.close()`. From the command line:
// `node tests/browser/serve.mjs [--port N] DIR...` serves the folders at `/` until Ctrl-C.

import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ts": "text/plain; charset=utf-8",
};

/**
 * Serves `mounts` ({ prefix: [folder, ...] }) on 127.0.0.1. `headers` ({ path: { name: value } })
 * adds response headers for exact paths. Resolves with { url, close, requests } once listening;
 * `requests` lists every path asked for.
 */
export async function serve(mounts, { port = 0, headers = {} } = {}) {
  const requests = [];
  const prefixes = Object.keys(mounts).sort((a, b) => b.length - a.length);
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    requests.push(path);
    const prefix = prefixes.find((p) => path.startsWith(p));
    let rel = prefix === undefined ? null : path.slice(prefix.length);
    if (rel === "" || (rel && rel.endsWith("/"))) rel += "index.html";
    for (const dir of rel === null ? [] : mounts[prefix]) {
      const root = resolve(dir);
      const file = resolve(join(root, rel));
      if (file !== root && !file.startsWith(root + sep)) break; // no escaping the folder
      try {
        if (!(await stat(file)).isFile()) continue;
        const body = await readFile(file);
        res.writeHead(200, {
          "Content-Type": TYPES[extname(file)] || "application/octet-stream",
          "Cache-Control": "no-store",
          ...(headers[path] || {}),
        });
        res.end(body);
        return;
      } catch {
        // not in this folder: try the next one
      }
    }
    res.writeHead(404, { "Content-Type": "text/plain" });
    res.end("not found");
  });
  await new Promise((ok) => server.listen(port, "127.0.0.1", ok));
  const url = `http://127.0.0.1:${server.address().port}`;
  return { url, requests, close: () => new Promise((ok) => server.close(ok)) };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  let port = 8080;
  const portAt = args.indexOf("--port");
  if (portAt >= 0) port = Number(args.splice(portAt, 2)[1]);
  const server = await serve({ "/": args }, { port });
  console.log(`serving ${args.join(", ")} at ${server.url}/ (Ctrl-C stops)`);
  process.on("SIGINT", () => server.close().then(() => process.exit(0)));
}
