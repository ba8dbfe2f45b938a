// The built-in OCI registry (distribution spec v1.1) over node:http, or https when given a
// certificate. start()/stop() own the listening socket; all state is on disk under `root`.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { authorize, type Access } from './auth.js';
import { cancelUpload, deleteBlob, finishUpload, getBlob, patchUpload, startUpload, uploadStatus } from './blobs.js';
import type { Context } from './context.js';
import { RegistryError, toRegistryError } from './errors.js';
import { reply } from './http.js';
import { deleteManifest, getManifest, getReferrers, listCatalog, listTags, putManifest } from './manifests.js';
import { MAX_NAME_LENGTH, REPOSITORY_NAME_RE, matchRoute, type Route } from './names.js';
import { RegistryStorage } from './storage.js';
import { Uploads } from './uploads.js';
import { resolveRegistryOptions, type RegistryOptions, type ResolvedRegistryOptions } from './options.js';

export type { RegistryOptions } from './options.js';

export class Registry {
  readonly storage: RegistryStorage;
  private readonly uploads: Uploads;
  private server: Server | undefined;
  private readonly also: Server[] = [];

  private readonly opts: ResolvedRegistryOptions;

  constructor(options: RegistryOptions) {
    const opts = resolveRegistryOptions(options);
    this.opts = opts;
    this.storage = new RegistryStorage(opts.root);
    this.uploads = new Uploads(opts.root, this.storage.blobs, opts.maxUploads);
  }

  /** Starts listening; answers the port. */
  async start(): Promise<number> {
    if (this.server) throw new Error('registry already started');
    const handler = (req: IncomingMessage, res: ServerResponse): void => void this.handle(req, res);
    const clientCerts = this.opts.clientCa
      ? { ca: this.opts.clientCa, requestCert: true, rejectUnauthorized: false }
      : {};
    const server =
      this.opts.cert && this.opts.key
        ? createHttpsServer({ cert: this.opts.cert, key: this.opts.key, ...clientCerts }, handler)
        : createHttpServer(handler);
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return (server.address() as AddressInfo).port;
  }

  /**
   * Also serves plain HTTP on `host`, same port: the address pods reach this machine at (pipeline
   * steps push there with their service-account token, as they fetch from the git server there).
   * Its certificate names 127.0.0.1, not that address, hence no TLS.
   */
  async listenAlso(host: string): Promise<void> {
    const port = (this.server?.address() as AddressInfo | null)?.port;
    if (port === undefined) throw new Error('registry not started');
    const server = createHttpServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.also.push(server);
  }

  async stop(): Promise<void> {
    for (const s of this.also.splice(0)) {
      s.closeAllConnections();
      s.close();
    }
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  /**
   * Deletes blobs no repository links and upload sessions idle longer than `uploadTtlMs`.
   * Blobs younger than `olderThanMs` survive (a push may be between its blob and manifest).
   */
  async gc(
    opts: { olderThanMs?: number; uploadTtlMs?: number } = {},
  ): Promise<{ removed: string[]; freedBytes: number }> {
    const live = await this.storage.referencedDigests();
    const now = Date.now();
    const removed: string[] = [];
    let freedBytes = 0;
    for await (const b of this.storage.blobs.list()) {
      if (live.has(b.digest) || now - b.mtimeMs < (opts.olderThanMs ?? 0)) continue;
      await this.storage.blobs.delete(b.digest);
      removed.push(b.digest);
      freedBytes += b.size;
    }
    const uploads = join(this.opts.root, 'uploads');
    for (const id of await readdir(uploads).catch(() => [] as string[])) {
      const s = await stat(join(uploads, id, 'data')).catch(() => undefined);
      if (!s || now - s.mtimeMs > (opts.uploadTtlMs ?? 24 * 3600_000))
        await rm(join(uploads, id), { recursive: true, force: true });
    }
    return { removed, freedBytes };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('Docker-Distribution-API-Version', 'registry/2.0');
    try {
      await this.dispatch(req, res);
    } catch (e) {
      const err = toRegistryError(e);
      if (res.headersSent) {
        res.destroy();
        if (!err) this.internalError(req, e);
        return;
      }
      if (!err) {
        this.internalError(req, e);
        reply(
          res,
          500,
          { 'Content-Type': 'application/json' },
          JSON.stringify({ errors: [{ code: 'UNKNOWN', message: 'internal error' }] }),
        );
      } else {
        req.resume();
        const body = err.body();
        reply(
          res,
          err.status,
          { 'Content-Type': 'application/json', ...err.headers },
          req.method === 'HEAD' ? undefined : body,
        );
      }
    }
  }

  /** A 500: logged with the method and path only (no query string, no Authorization header). */
  private internalError(req: IncomingMessage, e: unknown): void {
    this.opts.logger.error(
      { err: e, method: req.method, path: (req.url ?? '/').split('?')[0] },
      'internal error serving a request',
    );
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://registry');
    const method = req.method ?? 'GET';
    const route = matchRoute(url.pathname);
    if (!route) throw new RegistryError('UNSUPPORTED', `no such endpoint: ${method} ${url.pathname}`, undefined, 404);
    const action: Access['action'] =
      method === 'GET' || method === 'HEAD' ? 'pull' : method === 'DELETE' ? 'delete' : 'push';
    const authOpts = {
      authenticate: this.opts.authenticate,
      authenticateCertificate: this.opts.authenticateCertificate,
      anonymousPull: this.opts.anonymousPull,
    };
    if (route.kind === 'base' || route.kind === 'catalog') {
      if (method !== 'GET' && method !== 'HEAD') throw unsupported(method, url.pathname);
      await authorize(req, { action: 'pull' }, { ...authOpts, base: route.kind === 'base' });
      if (route.kind === 'base')
        return reply(res, 200, { 'Content-Type': 'application/json' }, method === 'HEAD' ? undefined : '{}');
      return listCatalog({ req, res, url, method, storage: this.storage, uploads: this.uploads, maxManifestBytes: 0 });
    }
    if (route.name.length > MAX_NAME_LENGTH || !REPOSITORY_NAME_RE.test(route.name)) {
      throw new RegistryError('NAME_INVALID', `invalid repository name "${route.name}"`, { name: route.name });
    }
    await authorize(req, { action, repository: route.name }, authOpts);
    const c: Context = {
      req,
      res,
      url,
      method,
      name: route.name,
      storage: this.storage,
      uploads: this.uploads,
      maxManifestBytes: this.opts.maxManifestBytes,
    };
    return this.route(c, route, method);
  }

  private async route(c: Context, route: Exclude<Route, { kind: 'base' | 'catalog' }>, method: string): Promise<void> {
    const read = method === 'GET' || method === 'HEAD';
    switch (route.kind) {
      case 'blob':
        if (read) return getBlob(c, route.digest);
        if (method === 'DELETE') return deleteBlob(c, route.digest);
        break;
      case 'uploads':
        if (method === 'POST') return startUpload(c);
        break;
      case 'upload':
        if (method === 'PATCH') return patchUpload(c, route.id);
        if (method === 'PUT') return finishUpload(c, route.id);
        if (method === 'GET') return uploadStatus(c, route.id);
        if (method === 'DELETE') return cancelUpload(c, route.id);
        break;
      case 'manifest':
        if (read) return getManifest(c, route.reference);
        if (method === 'PUT') return putManifest(c, route.reference);
        if (method === 'DELETE') return deleteManifest(c, route.reference);
        break;
      case 'tags':
        if (read) return listTags(c);
        break;
      case 'referrers':
        if (read) return getReferrers(c, route.digest);
        break;
    }
    throw unsupported(method, c.url.pathname);
  }
}

function unsupported(method: string, path: string): RegistryError {
  return new RegistryError('UNSUPPORTED', `${method} is not supported on ${path}`);
}
