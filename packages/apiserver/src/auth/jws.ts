// The JWS of Wharf's own tokens (service-account and session tokens), signed with the data dir's
// service-account key: ES256 with the P-256 key Wharf makes, RS256 with the RSA key of a data dir
// from an older Wharf. A token verifies only under the algorithm of the key it is checked with.
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

/**
 * Keys parsed once per PEM: parsing a key cost more than the signature it was parsed for, and a pod
 * start signs a service-account token. A data dir has a handful of keys, so the map stays small.
 */
const parsed = new Map<string, KeyObject>();
function keyOf(pem: string, parse: (pem: string) => KeyObject): KeyObject {
  let key = parsed.get(pem);
  if (!key) {
    key = parse(pem);
    parsed.set(pem, key);
  }
  return key;
}

/** ES256 (JOSE's raw r‖s signature) for an EC key, RS256 for an RSA key. */
function algorithmOf(key: KeyObject): {
  alg: 'ES256' | 'RS256';
  key: KeyObject | { key: KeyObject; dsaEncoding: 'ieee-p1363' };
} {
  return key.asymmetricKeyType === 'ec'
    ? { alg: 'ES256', key: { key, dsaEncoding: 'ieee-p1363' } }
    : { alg: 'RS256', key };
}

/** `header.claims.signature`, signed with the private key `keyPem`; the header gets the key's `alg`. */
export function signJws(keyPem: string, header: Readonly<Record<string, string>>, claims: object): string {
  const { alg, key } = algorithmOf(keyOf(keyPem, createPrivateKey));
  const unsigned = `${b64({ alg, ...header })}.${b64(claims)}`;
  return `${unsigned}.${sign('sha256', Buffer.from(unsigned), key).toString('base64url')}`;
}

/**
 * The encoded header and body of `token` and its claims, when its signature verifies with the public
 * key `pubPem`; undefined for anything else.
 */
export function verifyJws(pubPem: string, token: string): { head: string; body: string; claims: unknown } | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [head, body, sig] = parts as [string, string, string];
  try {
    const { alg, key } = algorithmOf(keyOf(pubPem, createPublicKey));
    if ((JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as { alg?: unknown }).alg !== alg)
      return undefined;
    if (!verify('sha256', Buffer.from(`${head}.${body}`), key, Buffer.from(sig, 'base64url'))) return undefined;
    return { head, body, claims: JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) };
  } catch {
    return undefined;
  }
}
