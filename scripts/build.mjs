// Bundles the CLI with esbuild. @actions/workflow-parser imports JSON without import
// attributes, which Node refuses; bundling resolves it and also cuts start-up time.
import { build } from 'esbuild';
import { chmod, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/**
 * Source edits to dependencies, made as the bundle is built; each must still match, or the build
 * fails. Most keep the daemon from loading what it never uses (an idle node's memory,
 * bench/cluster.bench.ts part (d)); each says why.
 */
const dependencyEdits = [
  {
    // The daemon loads no WebAssembly: libp2p-noise instantiates AssemblyScript ChaCha20-Poly1305
    // and SHA-256 modules at import (for messages under 1,200 bytes), each costing WebAssembly
    // memory that only grows and V8's WebAssembly compilers in the executable's pages (~4.5 MiB
    // of RSS). cairn gives noise node:crypto's (src/net/noise-crypto.ts); pnet's xsalsa20, a third
    // module, is replaced below.
    file: /@chainsafe[\\/]libp2p-noise[\\/]dist[\\/]src[\\/]crypto[\\/]index\.js$/,
    edits: [
      ["import { newInstance, ChaCha20Poly1305 } from '@chainsafe/as-chacha20poly1305';\n", ''],
      ["import { digest } from '@chainsafe/as-sha256';\n", ''],
      ['const ctx = newInstance();\nconst asImpl = new ChaCha20Poly1305(ctx);\n', ''],
      [/export const asCrypto = \{[\s\S]*?\n\};\n/, 'export const asCrypto = nodeCrypto;\n'],
    ],
  },
  {
    // yamux answers every read with a window update frame (through noise, pnet and the socket),
    // as many frames back as messages came: a stream's window is refilled only once half of it is
    // used, as Go's yamux (hashicorp/yamux) does.
    file: /@chainsafe[\\/]libp2p-yamux[\\/]dist[\\/]src[\\/]stream\.js$/,
    edits: [['if (this.recvWindowCapacity >= this.recvWindow && flags === 0) {', 'if (flags === 0 && this.recvWindow - this.recvWindowCapacity < this.recvWindow / 2) {']],
  },
  {
    // fastify needs node:https and node:http2 only for servers it is asked to make with them;
    // loading them (and with them tls) costs every node ~13 MiB of RSS.
    file: /[\\/]fastify[\\/]lib[\\/]server\.js$/,
    edits: [
      [
        "const https = require('node:https')\nconst http2 = require('node:http2')\n",
        "const https = { createServer: (...a) => require('node:https').createServer(...a) }\n" +
          "const http2 = { createServer: (...a) => require('node:http2').createServer(...a), createSecureServer: (...a) => require('node:http2').createSecureServer(...a) }\n",
      ],
    ],
  },
  {
    // prom-client's Pushgateway (unused here) loads node:https, and with it tls, at import.
    file: /[\\/]prom-client[\\/]lib[\\/]pushgateway\.js$/,
    edits: [
      ["const https = require('https');\n", "const https = { request: (...a) => require('https').request(...a) };\n"],
    ],
  },
  {
    // prom-client's CPU counter loads the OpenTelemetry API (51 modules) for exemplars, which we
    // do not enable.
    file: /[\\/]prom-client[\\/]lib[\\/]metrics[\\/]processCpuTotal\.js$/,
    edits: [
      [
        "const OtelApi = require('@opentelemetry/api');\n",
        "const OtelApi = { get trace() { return require('@opentelemetry/api').trace; }, get context() { return require('@opentelemetry/api').context; } };\n",
      ],
    ],
  },
  {
    // pino's transports run in a worker thread (thread-stream, and with it node:worker_threads
    // and node:assert) and are loaded at import; cairn logs to a stream of its own, no transport.
    file: /[\\/]pino[\\/]lib[\\/]transport\.js$/,
    edits: [["const ThreadStream = require('thread-stream')\n", "const ThreadStream = function (...a) { return new (require('thread-stream'))(...a) }\n"]],
  },
  {
    // pino asks node:worker_threads whether it runs on the main thread only when it makes an
    // asynchronous destination, which cairn does not.
    file: /[\\/]pino[\\/]lib[\\/]tools\.js$/,
    edits: [
      ["const { isMainThread } = require('worker_threads')\n", ''],
      ['if (!opts.sync && isMainThread) {', "if (!opts.sync && require('worker_threads').isMainThread) {"],
    ],
  },
  {
    // fastify checks a plugin's declared fastify version with semver (47 modules); our plugins
    // declare none.
    file: /[\\/]fastify[\\/]lib[\\/]plugin-utils\.js$/,
    edits: [
      [
        "const semver = require('semver')\n",
        "const semver = { gt: (...a) => require('semver').gt(...a), coerce: (...a) => require('semver').coerce(...a), satisfies: (...a) => require('semver').satisfies(...a) }\n",
      ],
    ],
  },
  // libp2p sorts multiaddrs, protocol ids and metadata keys with localeCompare for a canonical
  // order (local: the peer store, array comparison). The first call builds ICU's collator, which
  // costs every node ~3 MiB (ICU data pages and the collator); code-unit order is as canonical.
  ...[
    ['dedupe-addresses', 'a.multiaddr.toString().localeCompare(b.multiaddr.toString())', 'compareCodeUnits(a.multiaddr.toString(), b.multiaddr.toString())'],
    ['to-peer-pb', 'a.localeCompare(b)', 'compareCodeUnits(a, b)'],
    ['array-equals', 'a.toString().localeCompare(b.toString())', 'compareCodeUnits(a.toString(), b.toString())'],
  ].map(([name, from, to]) => ({
    file: new RegExp(`[\\\\/]@libp2p[\\\\/](peer-store|utils)[\\\\/]dist[\\\\/]src[\\\\/](utils[\\\\/])?${name}\\.js$`),
    edits: [
      [new RegExp(from.replace(/[.()]/g, '\\$&'), 'g'), to],
      [/$/, '\nfunction compareCodeUnits(a, b) { return a < b ? -1 : a > b ? 1 : 0; }\n'],
    ],
  })),
];

/**
 * Packages that the bundled libraries require only on paths cairn does not take (fastify's
 * schema compilers and inject(), the version checks and exemplars made lazy above). Bundled,
 * their source would be part of the daemon chunk, which V8 keeps in memory whole; left outside,
 * they are read from node_modules only if ever required.
 */
const lazyOnly = ['ajv', 'ajv-formats', 'fast-json-stringify', '@fastify/ajv-compiler', '@fastify/fast-json-stringify-compiler', 'light-my-request', 'semver', '@opentelemetry/api'];

/** @type {import('esbuild').Plugin} */
const editDependencies = {
  name: 'cairn-dependency-edits',
  setup(b) {
    // mortice (libp2p's peer-store locks) shares its locks with cluster workers and worker threads
    // through node:cluster and node:worker_threads, both loaded at import; the daemon is one
    // process, which is what mortice's single-process (React Native) build is for.
    b.onResolve({ filter: /^\.\/node\.js$/ }, (args) =>
      /[\\/]mortice[\\/]dist[\\/]src$/.test(args.resolveDir) ? { path: join(args.resolveDir, 'react-native.js') } : undefined,
    );
    for (const { file, edits } of dependencyEdits) {
      b.onLoad({ filter: file }, async (args) => {
        let text = await readFile(args.path, 'utf8');
        for (const [from, to] of edits) {
          const next = text.replace(from, to);
          if (next === text) throw new Error(`${args.path}: the build's edit no longer matches: ${String(from).slice(0, 80)}`);
          text = next;
        }
        return { contents: text, loader: 'js' };
      });
    }
  },
};

// CAIRN_OUTDIR builds elsewhere (a directory inside the project, so the externals still resolve
// from its node_modules): a private build that tests can use through CAIRN_BIN while dist/ is busy.
const outdir = process.env.CAIRN_OUTDIR ?? 'dist';
await mkdir(outdir, { recursive: true });
const { metafile } = await build({
  entryPoints: { main: 'src/cli/main.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  sourcemap: 'linked',
  // Native addons and packages that locate files relative to themselves stay outside the bundle.
  // react-devtools-core is ink's optional dev-only import (loaded only with DEV=true, not installed).
  external: ['zstd-napi', 'isomorphic-git', 'yoga-layout', 'thread-stream', 'irc-framework', 'react-devtools-core', ...lazyOnly],
  jsx: 'automatic',
  // Without comments and indentation the bundle is ASCII: V8 then keeps each chunk's source as
  // one byte a character, not two (@noble/curves' comments hold non-ASCII), which is ~2.5 MiB of
  // every daemon's memory. Names stay, so stack traces still name functions; the linked source
  // maps give lines (node --enable-source-maps).
  minifyWhitespace: true,
  // Licence comments go to a .LEGAL.txt beside each chunk: one of them (a polyfill's author,
  // "Wärting") is not ASCII, which would make V8 hold the whole chunk as two bytes a character.
  legalComments: 'linked',
  banner: {
    js: "import { createRequire as __cairnCreateRequire } from 'node:module'; const require = __cairnCreateRequire(import.meta.url);",
  },
  plugins: [editDependencies],
  logLevel: 'warning',
  metafile: true,
});

// Chunk names carry a content hash, so each build writes new files: the chunks this build did not
// write are an earlier build's, and would otherwise pile up in dist/ (and in a packed release).
// Only names of esbuild's chunk pattern are removed, whatever else CAIRN_OUTDIR holds.
const written = new Set(Object.keys(metafile.outputs).map((f) => resolve(f)));
const chunkName = /^[a-z-]+-[A-Z0-9]{8}\.js(\.map|\.LEGAL\.txt)?$/;
for (const name of await readdir(outdir)) {
  if (chunkName.test(name) && !written.has(resolve(outdir, name))) await rm(resolve(outdir, name), { force: true });
}

// The launcher is plain JavaScript that any Node can parse, so an old Node gets a clear
// message (or is replaced by the pinned Node 24) instead of a syntax error.
const launcher = `#!/usr/bin/env node
// Generated by scripts/build.mjs. cairn needs Node.js 22 or newer.
// Built-ins load only on the slow path (an old Node): each costs start-up time on every run.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  const { spawnSync } = await import('node:child_process');
  const { existsSync } = await import('node:fs');
  const { dirname, join } = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const here = dirname(fileURLToPath(import.meta.url));
  const pinned = join(here, '..', 'node_modules', 'node', 'bin', 'node');
  if (existsSync(pinned) && !process.env.CAIRN_REEXEC) {
    const r = spawnSync(pinned, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
      stdio: 'inherit',
      env: { ...process.env, CAIRN_REEXEC: '1' },
    });
    process.exit(r.status ?? (r.signal ? 128 + 1 : 1));
  }
  process.stderr.write('cairn: Node.js 22 or newer is required (this is ' + process.version + '). Install Node 22+, or run it through npx in the project, which uses the pinned Node 24.\\n');
  process.exit(2);
}
// V8's on-disk code cache (Node 22.1+): the bundle is ~1 MB of JavaScript, and compiling it
// anew on every run is a large part of 'cairn run' start-up. NODE_DISABLE_COMPILE_CACHE=1 turns it off.
const { enableCompileCache } = await import('node:module');
try {
  enableCompileCache?.();
} catch {
  // A read-only or full temp directory only costs speed.
}
await import('./main.js');
`;
await writeFile(`${outdir}/cairn.js`, launcher);
await chmod(`${outdir}/cairn.js`, 0o755);
