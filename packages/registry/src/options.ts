// The registry's options, resolved once: every default applied here, so the registry reads a
// fully resolved object.
import { withDefaults, type Resolved } from '@wharf/api';
import { pino, type Logger } from 'pino';
import type { Authenticator, CertificateAuthenticator } from './auth.js';

export interface RegistryOptions {
  /** Directory holding blobs, repositories and uploads; created on demand. */
  readonly root: string;
  /** @default 5000 (0 picks a free port) */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** PEM certificate and key: serve HTTPS instead of HTTP. */
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
  /** Checks tokens; without it the registry is open to everyone. */
  readonly authenticate?: Authenticator;
  /**
   * PEM CA whose client certificates sign in (asked for over HTTPS, never required), as node
   * agents joined with `wharf agent` do; `authenticateCertificate` decides what they may. @default none
   */
  readonly clientCa?: string;
  readonly authenticateCertificate?: CertificateAuthenticator;
  /** Let requests without credentials pull (when `authenticate` is set). @default false */
  readonly anonymousPull?: boolean;
  /** Open upload sessions allowed at once; beyond, POST answers 429. @default 1000 */
  readonly maxUploads?: number;
  /** Largest manifest accepted, in bytes. @default 4 MiB */
  readonly maxManifestBytes?: number;
  /** Unexpected errors (500s) go here at error. @default silent */
  readonly logger?: Logger;
}

export type ResolvedRegistryOptions = Resolved<
  RegistryOptions,
  'port' | 'host' | 'anonymousPull' | 'maxUploads' | 'maxManifestBytes' | 'logger'
>;

export function resolveRegistryOptions(o: RegistryOptions): ResolvedRegistryOptions {
  return withDefaults(
    {
      port: 5000,
      host: '127.0.0.1',
      anonymousPull: false,
      maxUploads: 1000,
      maxManifestBytes: 4 * 1024 * 1024,
      logger: pino({ level: 'silent' }),
    },
    o,
  );
}
