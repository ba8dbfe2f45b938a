// Who may call the agent's port 10250, as the kubelet's webhook authentication and authorization
// decide it (--authentication-token-webhook, --authorization-mode=Webhook): the bearer token goes
// to a TokenReview (401 when it does not authenticate), then the user to a SubjectAccessReview on
// the Node's subresource the path maps to (403 when it is not allowed). Both answers are cached
// as the kubelet caches them: authentications 2 minutes, allowed 5 minutes, denied 30 seconds.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { reviewAccess, reviewToken, type KubeClient, type ReviewedUser } from '@wharf/client';
import type { Gate } from './logs.js';

/** A Node's resource attributes a request to the kubelet asks for (the kubelet's GetRequestAttributes). */
export interface KubeletAttributes {
  readonly verb: string;
  readonly subresource: string;
}

const VERBS: Record<string, string> = {
  GET: 'get',
  HEAD: 'get',
  POST: 'create',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

/** Path prefixes with a subresource of their own; everything else is `proxy`. */
const SUBRESOURCES: readonly (readonly [string, string])[] = [
  ['/stats', 'stats'],
  ['/metrics', 'metrics'],
  ['/logs', 'log'],
  ['/spec', 'spec'],
];

export function kubeletAttributes(method: string, path: string): KubeletAttributes {
  const verb = VERBS[method.toUpperCase()] ?? method.toLowerCase();
  const clean = path.split('?')[0] ?? '/';
  const hit = SUBRESOURCES.find(([prefix]) => clean === prefix || clean.startsWith(`${prefix}/`));
  return { verb, subresource: hit?.[1] ?? 'proxy' };
}

/** The two reviews, through the Kubernetes API. */
export interface Reviews {
  /** The token's user, or undefined when it does not authenticate. */
  authenticate(token: string): Promise<ReviewedUser | undefined>;
  /** Whether `user` may `verb` nodes/<subresource> named `node`. */
  authorize(user: ReviewedUser, node: string, a: KubeletAttributes): Promise<boolean>;
}

export interface KubeletGateOptions {
  readonly reviews: Reviews;
  readonly nodeName: string;
  /** @default Date.now */
  readonly now?: () => number;
}

const AUTHN_TTL_MS = 120_000;
const ALLOWED_TTL_MS = 300_000;
const DENIED_TTL_MS = 30_000;
const MAX_ENTRIES = 1024;

/** A small TTL cache that starts over when full (bounded memory under a flood of bad tokens). */
class Expiring<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();
  constructor(private readonly now: () => number) {}
  get(key: string): { value: V } | undefined {
    const e = this.entries.get(key);
    return e && e.until > this.now() ? { value: e.value } : undefined;
  }
  set(key: string, value: V, ttlMs: number): void {
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(key, { value, until: this.now() + ttlMs });
  }
}

/** The gate of the agent's port 10250. */
export function kubeletGate(o: KubeletGateOptions): Gate {
  const now = o.now ?? Date.now;
  const users = new Expiring<ReviewedUser | undefined>(now);
  const decisions = new Expiring<boolean>(now);
  return async (req: IncomingMessage) => {
    const header = req.headers.authorization ?? '';
    if (!header.startsWith('Bearer ') || header.length === 'Bearer '.length) return 401;
    const tokenKey = createHash('sha256').update(header.slice('Bearer '.length)).digest('hex');
    let user = users.get(tokenKey);
    if (!user) {
      user = { value: await o.reviews.authenticate(header.slice('Bearer '.length)) };
      users.set(tokenKey, user.value, AUTHN_TTL_MS);
    }
    if (!user.value) return 401;
    const attrs = kubeletAttributes(req.method ?? 'GET', req.url ?? '/');
    const decisionKey = `${tokenKey} ${attrs.verb} ${attrs.subresource}`;
    let allowed = decisions.get(decisionKey);
    if (!allowed) {
      allowed = { value: await o.reviews.authorize(user.value, o.nodeName, attrs) };
      decisions.set(decisionKey, allowed.value, allowed.value ? ALLOWED_TTL_MS : DENIED_TTL_MS);
    }
    return allowed.value ? undefined : 403;
  };
}

/** The reviews as the agent's client (system:node:<name>) creates them. */
export function apiReviews(client: Pick<KubeClient, 'create'>): Reviews {
  return {
    authenticate: (token) => reviewToken(client, token),
    authorize: (user, node, a) =>
      reviewAccess(client, user, { verb: a.verb, resource: 'nodes', subresource: a.subresource, name: node }),
  };
}
