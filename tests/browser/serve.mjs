// A tiny static server for the browser tests. Each mount maps a URL prefix to folders searched in
// order; `.wasm` is served as application/wasm so browsers compile it while it streams.
// `const server = await serve({ "/": ["pages", "dist"] }, { headers })`, then `server.url` and
// `await server.close()`.

import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";

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
 * Serves `mounts` ({ prefix: [folder, ...] }) on a free port of 127.0.0.1. `headers`
 * ({ path: { name: value } }) adds or overrides response headers for exact paths. Resolves with
 * { url, close } once listening.
 */
export async function serve(mounts, { headers = {} } = {}) {
  const prefixes = Object.keys(mounts).sort((a, b) => b.length - a.length);
  const server = createServer(async (req, res) => {
    let path;
    try {
      path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
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
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const url = `http://127.0.0.1:${server.address().port}`;
  return { url, close: () => new Promise((ok) => server.close(ok)) };
}

