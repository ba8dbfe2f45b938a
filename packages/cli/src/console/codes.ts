// One-time sign-in codes: `wharf console` trades the kubeconfig user's token for a code that the
// printed link carries, so the token itself never sits in a URL, a shell history or a server log.
// A code works once and only for a short while; the broker keeps nothing else.
import { randomBytes } from 'node:crypto';

export interface SignInCodesOptions {
  /** How long a code may wait to be used. @default 120_000 */
  readonly ttlMs?: number;
  /** The clock, so tests move time instead of sleeping. @default Date.now */
  readonly now?: () => number;
}

export class SignInCodes {
  private readonly codes = new Map<string, { token: string; expires: number }>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(o: SignInCodesOptions = {}) {
    this.ttlMs = o.ttlMs ?? 120_000;
    this.now = o.now ?? Date.now;
  }

  /** A fresh code standing for `token`. */
  issue(token: string): { code: string; expiresInSeconds: number } {
    this.sweep();
    const code = randomBytes(24).toString('base64url');
    this.codes.set(code, { token, expires: this.now() + this.ttlMs });
    return { code, expiresInSeconds: Math.round(this.ttlMs / 1000) };
  }

  /** The token a code stands for, once; undefined for an unknown, used or expired code. */
  redeem(code: string): string | undefined {
    const entry = this.codes.get(code);
    this.codes.delete(code);
    this.sweep();
    return entry && entry.expires > this.now() ? entry.token : undefined;
  }

  private sweep(): void {
    const now = this.now();
    for (const [code, e] of this.codes) if (e.expires <= now) this.codes.delete(code);
  }
}
