#!/usr/bin/env node
// Tiny dependency-free static server for end-to-end tests and for checking a
// release build. Python's http.server would do, but it guesses MIME types from
// the OS tables (application/wasm is missing on some) and has no SPA fallback.
//
//   node e2e/serve.mjs [--dir dist] [--port 4321] [--host 127.0.0.1] [--base /]
//
// --base serves the directory under a sub-path (to test `trunk build
// --public-url /some/path/`). Unknown paths that look like pages (no file
// extension) get index.html so client-side routes load; unknown assets get a
// real 404 so a missing .wasm or .js is not masked by HTML.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';

const opts = { dir: 'dist', port: '4321', host: '127.0.0.1', base: '/' };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
  const key = argv[i].replace(/^--/, '');
  if (!(key in opts) || argv[i + 1] === undefined) {
    console.error(`usage: serve.mjs [--dir D] [--port P] [--host H] [--base /path/]; bad arg ${argv[i]}`);
    process.exit(2);
  }
  opts[key] = argv[i + 1];
}
const root = resolve(opts.dir);
const base = ('/' + opts.base + '/').replace(/\/+/g, '/');

try {
  await stat(join(root, 'index.html'));
} catch {
  console.error(`serve.mjs: ${join(root, 'index.html')} not found; run \`bash scripts/build.sh\` first`);
  process.exit(1);
}

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

async function fileFor(urlPath) {
  const p = join(root, normalize(urlPath));
  if (p !== root && !p.startsWith(root + sep)) return null; // path traversal
  try {
    const s = await stat(p);
    if (s.isFile()) return p;
    if (s.isDirectory()) {
      const idx = join(p, 'index.html');
      if ((await stat(idx)).isFile()) return idx;
    }
  } catch {}
  return null;
}

const server = createServer(async (req, res) => {
  let pathname;
  try {
    pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  } catch {
    res.writeHead(400).end('bad request');
    return;
  }
  if (pathname + '/' === base) pathname += '/';
  if (!pathname.startsWith(base)) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end(`not under ${base}`);
    return;
  }
  const rel = pathname.slice(base.length - 1);
  let file = await fileFor(rel);
  if (!file && extname(rel) === '') file = join(root, 'index.html'); // SPA route
  if (!file) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  try {
    const body = await readFile(file);
    res.writeHead(200, {
      'content-type': MIME[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'cache-control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch (e) {
    res.writeHead(500).end(String(e));
  }
});

server.listen(Number(opts.port), opts.host, () => {
  console.log(`serving ${root} at http://${opts.host}:${opts.port}${base}`);
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.close(() => process.exit(0)));
