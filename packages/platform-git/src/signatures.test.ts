// Vectors from the forges' own documents where they publish one (GitHub's "Validating webhook
// deliveries", the Standard Webhooks spec GitLab's signing token follows); Gitea's computed with
// openssl, as its docs describe (hex HMAC-SHA256 of the raw body).
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { verifyDelivery } from './signatures.js';

describe('GitHub X-Hub-Signature-256', () => {
  const body = Buffer.from('Hello, World!');
  const secret = "It's a Secret to Everybody";
  const good = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

  it("accepts GitHub's documented example and reports the delivery id", () => {
    expect(verifyDelivery('github', { 'x-hub-signature-256': good, 'x-github-delivery': 'd-1' }, body, secret)).toEqual(
      { ok: true, deliveryId: 'd-1' },
    );
  });

  it('refuses a changed body, a wrong secret and a missing header', () => {
    expect(verifyDelivery('github', { 'x-hub-signature-256': good }, Buffer.from('Hello, World?'), secret).ok).toBe(
      false,
    );
    expect(verifyDelivery('github', { 'x-hub-signature-256': good }, body, 'other').ok).toBe(false);
    expect(verifyDelivery('github', {}, body, secret)).toEqual({ ok: false, reason: 'missing X-Hub-Signature-256' });
    // The bare hex without "sha256=" is not GitHub's format.
    expect(verifyDelivery('github', { 'x-hub-signature-256': good.slice(7) }, body, secret).ok).toBe(false);
  });
});

describe('Gitea / Forgejo signatures', () => {
  const body = Buffer.from('{"ref":"refs/heads/main"}');
  const secret = 'gitea-secret';
  const hex = execFileSync('openssl', ['dgst', '-sha256', '-hmac', secret, '-r'], { input: body })
    .toString()
    .split(' ')[0]!;

  it('accepts hex HMAC-SHA256 in X-Gitea-Signature and X-Forgejo-Signature', () => {
    expect(verifyDelivery('gitea', { 'x-gitea-signature': hex, 'x-gitea-delivery': 'g1' }, body, secret)).toEqual({
      ok: true,
      deliveryId: 'g1',
    });
    expect(verifyDelivery('forgejo', { 'x-forgejo-signature': hex, 'x-forgejo-delivery': 'f1' }, body, secret)).toEqual(
      { ok: true, deliveryId: 'f1' },
    );
  });

  it('refuses a wrong one', () => {
    expect(
      verifyDelivery('gitea', { 'x-gitea-signature': hex.replace(/.$/, (c) => (c === '0' ? '1' : '0')) }, body, secret)
        .ok,
    ).toBe(false);
    expect(verifyDelivery('forgejo', {}, body, secret)).toEqual({ ok: false, reason: 'missing X-Gitea-Signature' });
  });
});

describe('GitLab', () => {
  it('X-Gitlab-Token is the secret itself', () => {
    expect(
      verifyDelivery('gitlab', { 'x-gitlab-token': 'tok', 'idempotency-key': 'k1' }, Buffer.from('{}'), 'tok'),
    ).toEqual({ ok: true, deliveryId: 'k1' });
    expect(verifyDelivery('gitlab', { 'x-gitlab-token': 'tok2' }, Buffer.from('{}'), 'tok').ok).toBe(false);
    expect(verifyDelivery('gitlab', {}, Buffer.from('{}'), 'tok').ok).toBe(false);
  });

  // The Standard Webhooks specification's example (GitLab's webhook-signature follows it).
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const body = Buffer.from('{"test": 2432232314}');
  const h = {
    'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
    'webhook-timestamp': '1614265330',
    'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
  };

  it('webhook-signature: the specification example verifies, with the id as delivery id', () => {
    expect(verifyDelivery('gitlab', h, body, secret, 1614265330)).toEqual({
      ok: true,
      deliveryId: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
    });
    // One of several space-separated signatures may match (key rotation).
    expect(
      verifyDelivery(
        'gitlab',
        { ...h, 'webhook-signature': `v1,AAAA ${h['webhook-signature']}` },
        body,
        secret,
        1614265330,
      ).ok,
    ).toBe(true);
  });

  it('webhook-signature: a stale timestamp, another id, a changed body or no header is refused', () => {
    expect(verifyDelivery('gitlab', h, body, secret, 1614265330 + 301)).toEqual({
      ok: false,
      reason: 'webhook-timestamp is not within five minutes of now',
    });
    expect(verifyDelivery('gitlab', { ...h, 'webhook-id': 'msg_other' }, body, secret, 1614265330).ok).toBe(false);
    expect(verifyDelivery('gitlab', h, Buffer.from('{"test": 2432232315}'), secret, 1614265330).ok).toBe(false);
    expect(verifyDelivery('gitlab', { 'x-gitlab-token': secret }, body, secret, 1614265330).ok).toBe(false);
  });
});
