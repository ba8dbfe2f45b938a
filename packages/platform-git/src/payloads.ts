// What a forge's push or tag event says was pushed, from the payloads as GitHub, GitLab and
// Gitea/Forgejo document them. Other events (ping, issues, ...) are acknowledged and ignored.
import type { Headers } from './signatures.js';
import type { Provider, PushInfo } from './types.js';

const ZERO = /^0+$/;

interface Commit {
  id?: string;
  message?: string;
  author?: { name?: string; email?: string };
}

/** GitHub and Gitea/Forgejo share the push payload's shape. */
interface HubPush {
  ref?: string;
  after?: string;
  deleted?: boolean;
  head_commit?: Commit | null;
  repository?: { clone_url?: string };
}

interface GitlabPush {
  object_kind?: string;
  ref?: string;
  after?: string;
  checkout_sha?: string | null;
  commits?: Commit[];
  project?: { git_http_url?: string };
  repository?: { git_http_url?: string };
}

export type Parsed =
  | { kind: 'push'; push: Omit<PushInfo, 'trigger' | 'deliveryId'> }
  | { kind: 'ignored'; reason: string }
  | { kind: 'invalid'; reason: string };

const person = (c: Commit | null | undefined): string | undefined =>
  c?.author ? `${c.author.name ?? ''} <${c.author.email ?? ''}>` : undefined;

function eventName(provider: Provider, h: Headers): string | undefined {
  switch (provider) {
    case 'github':
      return h['x-github-event'];
    case 'gitlab':
      return h['x-gitlab-event'];
    case 'gitea':
    case 'forgejo':
      return h['x-forgejo-event'] ?? h['x-gitea-event'];
  }
}

export function parsePushEvent(provider: Provider, headers: Headers, body: Buffer): Parsed {
  const event = eventName(provider, headers);
  const push = provider === 'gitlab' ? event === 'Push Hook' || event === 'Tag Push Hook' : event === 'push';
  if (!push) return { kind: 'ignored', reason: `event ${event ?? '(none)'} is not a push` };
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch (e) {
    return { kind: 'invalid', reason: `body is not JSON: ${(e as Error).message}` };
  }
  if (typeof doc !== 'object' || doc === null) return { kind: 'invalid', reason: 'body is not a JSON object' };
  if (provider === 'gitlab') {
    const p = doc as GitlabPush;
    const url = p.project?.git_http_url ?? p.repository?.git_http_url;
    if (!p.ref || !url) return { kind: 'invalid', reason: 'push payload lacks ref or project.git_http_url' };
    const sha = p.checkout_sha ?? p.after;
    if (!sha || ZERO.test(sha)) return { kind: 'push', push: { ref: p.ref, cloneUrl: url } };
    const head = p.commits?.find((c) => c.id === sha) ?? p.commits?.at(-1);
    return {
      kind: 'push',
      push: {
        ref: p.ref,
        commit: sha,
        cloneUrl: url,
        ...(head?.message ? { message: head.message } : {}),
        ...(person(head) ? { author: person(head)! } : {}),
      },
    };
  }
  const p = doc as HubPush;
  const url = p.repository?.clone_url;
  if (!p.ref || !url) return { kind: 'invalid', reason: 'push payload lacks ref or repository.clone_url' };
  if (p.deleted || !p.after || ZERO.test(p.after)) return { kind: 'push', push: { ref: p.ref, cloneUrl: url } };
  const head = p.head_commit;
  return {
    kind: 'push',
    push: {
      ref: p.ref,
      commit: p.after,
      cloneUrl: url,
      ...(head?.message ? { message: head.message } : {}),
      ...(person(head) ? { author: person(head)! } : {}),
    },
  };
}
