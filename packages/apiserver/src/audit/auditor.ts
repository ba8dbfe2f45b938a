// Audits requests by an audit.k8s.io/v1 Policy: `begin` (once the user is known) decides the
// level and emits RequestReceived; `complete` emits ResponseComplete with the code, and at level
// Request/RequestResponse the decoded request body and the JSON response. Bodies of Secrets and of
// token-carrying requests (serviceaccounts/token, TokenReview) are never recorded, whatever the
// policy says: those entries stay at Metadata, so no secret reaches a backend.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UserInfo } from '../objects/context.js';
import { decodeBody, requestBodies } from '../rest/body.js';
import type { RequestInfo } from '../rest/request-info.js';
import type { AuditBackend, AuditEvent } from './event.js';
import { evaluatePolicy, type AuditPolicy, type Level, type Stage } from './policy.js';

/** Response bodies larger than this are not recorded (the entry says so). */
const MAX_RESPONSE_BYTES = 1 << 20;

export interface AuditorOptions {
  readonly policy: AuditPolicy;
  readonly backends: readonly AuditBackend[];
  /** @default () => new Date() */
  readonly now?: () => Date;
}

export interface AuditedRequest {
  /** Emits ResponseComplete; `name` is the created object's when the URL had none, `annotations` admission's. */
  complete(code: number, name?: string, annotations?: Readonly<Record<string, string>>): void;
}

/** Requests whose bodies carry secret values. */
export function carriesSecrets(ri: Pick<RequestInfo, 'group' | 'resource' | 'subresource'>): boolean {
  if (ri.group === '' && ri.resource === 'secrets') return true;
  if (ri.group === '' && ri.resource === 'serviceaccounts' && ri.subresource === 'token') return true;
  return ri.group === 'authentication.k8s.io' && ri.resource === 'tokenreviews';
}

export class Auditor {
  constructor(private readonly o: AuditorOptions) {}

  begin(
    req: IncomingMessage,
    res: ServerResponse,
    ri: RequestInfo,
    user: UserInfo,
    impersonated?: UserInfo,
  ): AuditedRequest | undefined {
    const decision = evaluatePolicy(this.o.policy, { user, ...ri });
    if (decision.level === 'None') return undefined;
    const level: Exclude<Level, 'None'> = carriesSecrets(ri) ? 'Metadata' : decision.level;
    const now = this.o.now ?? (() => new Date());
    const received = now().toISOString();
    const auditID = randomUUID();
    // Upstream returns the ID so a client can find its request in the log.
    if (!res.headersSent) res.setHeader('Audit-ID', auditID);
    const captured = level === 'RequestResponse' && ri.verb !== 'watch' ? captureResponse(res) : undefined;
    const base = {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level,
      auditID,
      requestURI: req.url ?? '',
      verb: ri.verb,
      user: { username: user.name, ...(user.uid ? { uid: user.uid } : {}), groups: [...user.groups] },
      ...(impersonated ? { impersonatedUser: { username: impersonated.name, groups: [...impersonated.groups] } } : {}),
      sourceIPs: [req.socket.remoteAddress ?? ''],
      ...(req.headers['user-agent'] ? { userAgent: req.headers['user-agent'] } : {}),
      requestReceivedTimestamp: received,
    } as const;
    const objectRef = (name: string): AuditEvent['objectRef'] =>
      ri.resourceRequest
        ? {
            resource: ri.resource,
            apiVersion: ri.version,
            ...(ri.namespace ? { namespace: ri.namespace } : {}),
            ...(name ? { name } : {}),
            ...(ri.group ? { apiGroup: ri.group } : {}),
            ...(ri.subresource ? { subresource: ri.subresource } : {}),
          }
        : undefined;
    const emit = (stage: Stage, extra: Partial<AuditEvent>): void => {
      if (decision.omitStages.has(stage)) return;
      const ref = objectRef(ri.name);
      const event: AuditEvent = {
        ...base,
        stage,
        ...(ref ? { objectRef: ref } : {}),
        ...extra,
        stageTimestamp: now().toISOString(),
      };
      for (const b of this.o.backends) b.process([event]);
    };
    emit('RequestReceived', {});
    return {
      complete: (code, name, annotations) => {
        const ref = objectRef(ri.name || name || '');
        const requestObject = level !== 'Metadata' ? withoutSecrets(decoded(req)) : undefined;
        const responseObject = withoutSecrets(captured?.());
        emit('ResponseComplete', {
          ...(ref ? { objectRef: ref } : {}),
          responseStatus: { metadata: {}, code },
          ...(annotations && Object.keys(annotations).length ? { annotations } : {}),
          ...(requestObject !== undefined ? { requestObject } : {}),
          ...(responseObject !== undefined ? { responseObject } : {}),
        });
      },
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.o.backends.map((b) => b.close()));
  }
}

/** A body that is (or lists) a Secret, whatever path it came by, is dropped. */
function withoutSecrets(body: unknown): unknown {
  const kindOf = (o: unknown): unknown => (o && typeof o === 'object' ? (o as { kind?: unknown }).kind : undefined);
  const items = body && typeof body === 'object' ? (body as { items?: unknown }).items : undefined;
  if (
    kindOf(body) === 'Secret' ||
    kindOf(body) === 'SecretList' ||
    (Array.isArray(items) && items.some((i) => kindOf(i) === 'Secret'))
  )
    return undefined;
  return body;
}

function decoded(req: IncomingMessage): unknown {
  const body = requestBodies.get(req);
  if (!body?.length) return undefined;
  try {
    return decodeBody(req.headers['content-type'], body);
  } catch {
    return undefined;
  }
}

/** Tees what the handler writes; the result is the parsed JSON body, if it was JSON and small enough. */
function captureResponse(res: ServerResponse): () => unknown {
  const chunks: Buffer[] = [];
  let size = 0;
  const keep = (chunk: unknown, encoding?: unknown): void => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function' || size > MAX_RESPONSE_BYTES) return;
    const b = Buffer.isBuffer(chunk)
      ? chunk
      : typeof chunk === 'string'
        ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
        : Buffer.from(chunk as Uint8Array);
    size += b.length;
    if (size <= MAX_RESPONSE_BYTES) chunks.push(b);
  };
  const write = res.write.bind(res) as (...a: unknown[]) => boolean;
  const end = res.end.bind(res) as (...a: unknown[]) => ServerResponse;
  res.write = ((...a: unknown[]) => {
    keep(a[0], a[1]);
    return write(...a);
  }) as typeof res.write;
  res.end = ((...a: unknown[]) => {
    keep(a[0], a[1]);
    return end(...a);
  }) as typeof res.end;
  return () => {
    if (size > MAX_RESPONSE_BYTES || !/json/i.test(String(res.getHeader('content-type') ?? ''))) return undefined;
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    } catch {
      return undefined;
    }
  };
}
