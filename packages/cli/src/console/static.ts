// The console's built files (packages/console/dist), read and gzipped once at start so each
// request is a lookup: the app is a few files that change only with a new build.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export interface StaticFile {
  readonly body: Buffer;
  readonly gzip: Buffer;
  readonly type: string;
  /** Vite names files under assets/ by their content hash: safe to cache for good. */
  readonly immutable: boolean;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** packages/console/dist beside this package (dist/console/static.js → ../../../console/dist). */
export const CONSOLE_DIST = fileURLToPath(new URL('../../../console/dist/', import.meta.url));

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** URL path (`/assets/x.js`) → file; undefined when the console was not built. */
export function loadStatic(dir = CONSOLE_DIST): Map<string, StaticFile> | undefined {
  if (!existsSync(join(dir, 'index.html'))) return undefined;
  const files = new Map<string, StaticFile>();
  for (const p of walk(dir)) {
    const rel = `/${relative(dir, p).split('\\').join('/')}`;
    const body = readFileSync(p);
    files.set(rel, {
      body,
      gzip: gzipSync(body),
      type: TYPES[extname(p)] ?? 'application/octet-stream',
      immutable: rel.startsWith('/assets/'),
    });
  }
  return files;
}
