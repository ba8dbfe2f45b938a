// Certificates for the gateway's HTTPS listener: each Ingress `spec.tls` entry names a
// kubernetes.io/tls Secret in the Ingress's namespace and the hosts it serves. SNI picks an exact
// host, then a `*.` wildcard (covering one label), then an entry without hosts.
import tls from 'node:tls';
import type { V1Secret } from '@kubernetes/client-node';
import type { Logger } from '@wharf/client';
import type { TlsEntry } from './routes.js';

export class CertificateStore {
  private exact = new Map<string, tls.SecureContext>();
  private wildcard = new Map<string, tls.SecureContext>();
  private fallback: tls.SecureContext | undefined;
  /** Contexts by `<ns>/<name>@<resourceVersion>`: rebuilt only when the Secret changes. */
  private contexts = new Map<string, tls.SecureContext | null>();

  constructor(private readonly logger: Logger) {}

  update(entries: readonly TlsEntry[], secret: (ns: string, name: string) => V1Secret | undefined): void {
    const exact = new Map<string, tls.SecureContext>();
    const wildcard = new Map<string, tls.SecureContext>();
    let fallback: tls.SecureContext | undefined;
    const used = new Set<string>();
    for (const e of entries) {
      const s = secret(e.namespace, e.secretName);
      if (!s) continue;
      const id = `${e.namespace}/${e.secretName}@${s.metadata?.resourceVersion ?? ''}`;
      used.add(id);
      let ctx = this.contexts.get(id);
      if (ctx === undefined) {
        ctx = this.contextOf(s, `${e.namespace}/${e.secretName}`);
        this.contexts.set(id, ctx);
      }
      if (!ctx) continue;
      if (e.hosts.length === 0) fallback ??= ctx;
      for (const h of e.hosts) {
        if (h.startsWith('*.')) {
          if (!wildcard.has(h.slice(2))) wildcard.set(h.slice(2), ctx);
        } else if (!exact.has(h)) exact.set(h, ctx);
      }
    }
    for (const id of this.contexts.keys()) if (!used.has(id)) this.contexts.delete(id);
    this.exact = exact;
    this.wildcard = wildcard;
    this.fallback = fallback;
  }

  /** The context for a TLS server name (SNI), if any certificate covers it. */
  lookup(serverName: string | undefined): tls.SecureContext | undefined {
    const h = (serverName ?? '').toLowerCase().replace(/\.$/, '');
    const dot = h.indexOf('.');
    return this.exact.get(h) ?? (dot > 0 ? this.wildcard.get(h.slice(dot + 1)) : undefined) ?? this.fallback;
  }

  private contextOf(s: V1Secret, name: string): tls.SecureContext | null {
    const crt = s.data?.['tls.crt'];
    const key = s.data?.['tls.key'];
    if (!crt || !key) {
      this.logger.warn({ secret: name }, 'TLS secret has no tls.crt or tls.key');
      return null;
    }
    try {
      return tls.createSecureContext({ cert: Buffer.from(crt, 'base64'), key: Buffer.from(key, 'base64') });
    } catch (e) {
      this.logger.warn({ err: e, secret: name }, 'TLS secret holds no usable certificate and key');
      return null;
    }
  }
}
