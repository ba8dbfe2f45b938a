// Bootstrap tokens (kubeadm's `<id>.<secret>`), the credentials a new node joins with: Secrets
// of type bootstrap.kubernetes.io/token named `bootstrap-token-<id>` in kube-system, short-lived
// (an expiration) and revocable (delete the Secret). A valid one signs in as
// `system:bootstrap:<id>` in `system:bootstrappers` and its auth-extra-groups, which may ask for a
// node client certificate and nothing else. The token cleaner deletes expired ones.
import { timingSafeEqual } from 'node:crypto';
import { isRecord } from '@wharf/api';
import type { UserInfo } from '../objects/context.js';

export const BOOTSTRAPPERS_GROUP = 'system:bootstrappers';
export const BOOTSTRAP_USER_PREFIX = 'system:bootstrap:';
export const BOOTSTRAP_TOKEN_TYPE = 'bootstrap.kubernetes.io/token';
export const BOOTSTRAP_SECRET_PREFIX = 'bootstrap-token-';
export const TOKEN_PATTERN = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
const EXTRA_GROUP = /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/;

type Secret = { type?: unknown; data?: unknown; metadata?: { deletionTimestamp?: string } };

const field = (s: Secret, key: string): string => {
  const v = isRecord(s.data) ? s.data[key] : undefined;
  return typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : '';
};

/** The time a bootstrap token Secret expires at (ms), undefined when it never does. */
export function tokenExpiry(secret: Secret): number | undefined {
  const text = field(secret, 'expiration');
  if (!text) return undefined;
  const at = Date.parse(text);
  return Number.isFinite(at) ? at : 0; // an unreadable expiration counts as expired
}

/**
 * The user a bootstrap token stands for, or undefined. `secretOf(id)` reads
 * kube-system/bootstrap-token-<id> (decrypted).
 */
export function authenticateBootstrapToken(
  token: string,
  secretOf: (id: string) => Secret | undefined,
  now = Date.now(),
): UserInfo | undefined {
  const m = TOKEN_PATTERN.exec(token);
  if (!m) return undefined;
  const [, id = '', secretPart = ''] = m;
  const secret = secretOf(id);
  if (!secret || secret.type !== BOOTSTRAP_TOKEN_TYPE || secret.metadata?.deletionTimestamp) return undefined;
  const want = Buffer.from(field(secret, 'token-secret'));
  const given = Buffer.from(secretPart);
  if (field(secret, 'token-id') !== id || want.length !== given.length || !timingSafeEqual(want, given))
    return undefined;
  if (field(secret, 'usage-bootstrap-authentication') !== 'true') return undefined;
  const expiry = tokenExpiry(secret);
  if (expiry !== undefined && expiry <= now) return undefined;
  const extra = field(secret, 'auth-extra-groups')
    .split(',')
    .map((g) => g.trim())
    .filter(Boolean);
  if (extra.some((g) => !EXTRA_GROUP.test(g))) return undefined;
  return { name: `${BOOTSTRAP_USER_PREFIX}${id}`, groups: [BOOTSTRAPPERS_GROUP, ...extra, 'system:authenticated'] };
}
