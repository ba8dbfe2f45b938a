// /alertmanager/api/v2/{silences, silence/<id>}: Alertmanager's silences for the Monitoring page.
// Alertmanager authenticates nobody, so this gateway asks the API server, with the user's own
// token, what they may do (SelfSubjectAccessReview on monitoring.wharf.dev `silences`, in the
// namespace a silence's `namespace=` matcher names, cluster-wide without one) and who they are
// (SelfSubjectReview, recorded as the silence's createdBy):
//   GET    silences[?namespace=NS]  list   → the silences of NS (all without it)
//   POST   silences                 create → a new silence (never an update of another)
//   DELETE silence/<id>             delete → expires it
// Refusals are Kubernetes Statuses, as the console shows every other API answer.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { callApi } from './api-call.js';
import { readJsonBody, RequestBodyError } from './body.js';
import type { ApiTarget } from './proxy.js';
import { sessionToken } from './session.js';
import { newSilence, SILENCE_RBAC, SilenceError, silenceNamespace, silencesOf, type Silence } from './silences.js';

export const ALERTMANAGER_PREFIX = '/alertmanager/api/v2/';

/** Where Alertmanager answers now; undefined when this Wharf runs none. */
export type AlertmanagerUrl = () => Promise<string | undefined>;

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  res
    .writeHead(code, { 'content-type': 'application/json', 'cache-control': 'no-store' })
    .end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code, reason, message }));
}

class Refusal extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** The user's Authorization header: their own, or their sign-in session's token. */
function authorization(req: IncomingMessage): string {
  const session = req.headers.authorization === undefined ? sessionToken(req.headers) : undefined;
  const h = req.headers.authorization ?? (session ? `Bearer ${session}` : undefined);
  if (!h) throw new Refusal(401, 'Unauthorized', 'sign in first');
  return h;
}

async function askApi<T>(api: ApiTarget, auth: string, path: string, body: object): Promise<T> {
  const r = await callApi(api, 'POST', path, JSON.stringify(body), { authorization: auth });
  if (r.status === 401) throw new Refusal(401, 'Unauthorized', 'your sign-in has expired: sign in again');
  if (r.status >= 300) throw new Refusal(r.status, 'InternalError', `the API server answered ${r.status} to ${path}`);
  return JSON.parse(r.text) as T;
}

async function mayI(api: ApiTarget, auth: string, verb: string, namespace: string): Promise<void> {
  const r = await askApi<{ status?: { allowed?: boolean; reason?: string } }>(
    api,
    auth,
    '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
    {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: { resourceAttributes: { verb, ...SILENCE_RBAC, namespace } },
    },
  );
  if (r.status?.allowed !== true) {
    const where = namespace ? `in namespace ${namespace}` : 'cluster-wide';
    throw new Refusal(
      403,
      'Forbidden',
      `you may not ${verb} silences ${where} (RBAC: ${verb} on ${SILENCE_RBAC.resource}.${SILENCE_RBAC.group})${r.status?.reason ? `: ${r.status.reason}` : ''}`,
    );
  }
}

async function whoAmI(api: ApiTarget, auth: string): Promise<string> {
  const r = await askApi<{ status?: { userInfo?: { username?: string } } }>(
    api,
    auth,
    '/apis/authentication.k8s.io/v1/selfsubjectreviews',
    { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
  );
  return r.status?.userInfo?.username ?? 'unknown';
}

async function am<T>(base: string, method: string, path: string, body?: object): Promise<T> {
  let r: Response;
  try {
    r = await fetch(new URL(`/api/v2/${path}`, base), {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(15_000),
    });
  } catch (e) {
    throw new Refusal(503, 'ServiceUnavailable', `Alertmanager (${base}) did not answer: ${(e as Error).message}`);
  }
  const text = await r.text();
  if (r.status === 404) throw new Refusal(404, 'NotFound', `Alertmanager: ${text.trim() || 'not found'}`);
  if (!r.ok)
    throw new Refusal(
      r.status === 400 ? 400 : 502,
      r.status === 400 ? 'BadRequest' : 'BadGateway',
      `Alertmanager answered ${r.status}: ${text.trim()}`,
    );
  return (text ? JSON.parse(text) : undefined) as T;
}

/** A silence is at most 64 KiB of JSON. */
async function readSilence(req: IncomingMessage): Promise<unknown> {
  try {
    return await readJsonBody(req, 64 * 1024);
  } catch (e) {
    if (!(e instanceof RequestBodyError)) throw e;
    if (e.status === 413) throw new Refusal(413, 'RequestEntityTooLarge', 'a silence is at most 64 KiB');
    throw new Refusal(400, 'BadRequest', 'the body must be a JSON silence');
  }
}

export async function alertmanagerGateway(
  api: ApiTarget,
  url: AlertmanagerUrl,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  try {
    const auth = authorization(req);
    const u = new URL(req.url ?? '/', 'http://console');
    const path = u.pathname.slice(ALERTMANAGER_PREFIX.length);
    const base = await url();
    if (!base)
      throw new Refusal(
        404,
        'NotFound',
        'this Wharf runs no Alertmanager: start wharf up with --nodes (its monitoring stack) or --alertmanager-url',
      );
    const json = (code: number, body: unknown): void => {
      res
        .writeHead(code, { 'content-type': 'application/json', 'cache-control': 'no-store' })
        .end(JSON.stringify(body));
    };
    if (path === 'silences' && req.method === 'GET') {
      const namespace = u.searchParams.get('namespace') ?? '';
      await mayI(api, auth, 'list', namespace);
      return json(200, silencesOf(await am<Silence[]>(base, 'GET', 'silences'), namespace));
    }
    if (path === 'silences' && req.method === 'POST') {
      let silence: Silence;
      try {
        silence = newSilence(await readSilence(req), await whoAmI(api, auth));
      } catch (e) {
        if (e instanceof SilenceError) throw new Refusal(400, 'BadRequest', e.message);
        throw e;
      }
      await mayI(api, auth, 'create', silenceNamespace(silence.matchers));
      return json(200, await am<{ silenceID: string }>(base, 'POST', 'silences', silence));
    }
    const one = /^silence\/([\w-]+)$/.exec(path);
    if (one && req.method === 'DELETE') {
      const id = one[1] as string;
      const existing = await am<Silence>(base, 'GET', `silence/${id}`);
      await mayI(api, auth, 'delete', silenceNamespace(existing.matchers));
      await am(base, 'DELETE', `silence/${id}`);
      return json(200, { id, expired: true });
    }
    throw new Refusal(
      404,
      'NotFound',
      `the console serves GET and POST silences and DELETE silence/<id>, not ${req.method ?? ''} ${path}`,
    );
  } catch (e) {
    if (e instanceof Refusal) return status(res, e.code, e.reason, e.message);
    status(res, 502, 'InternalError', (e as Error).message);
  }
}
