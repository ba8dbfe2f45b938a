// What every handler receives: the parsed request, the repository name and the storage.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RegistryStorage } from './storage.js';
import type { Uploads } from './uploads.js';

export interface Context {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  readonly method: string;
  /** Repository name (validated against the spec's grammar). */
  readonly name: string;
  readonly storage: RegistryStorage;
  readonly uploads: Uploads;
  /** Largest manifest body accepted, in bytes. */
  readonly maxManifestBytes: number;
}
