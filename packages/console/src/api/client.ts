// Every call the console makes: same origin, to the Kubernetes API, with the user's token.
// A non-2xx answer becomes an ApiError carrying the API's Status (code, reason, message).
import { getToken } from '../auth/token.js';

/** One field the API refused (a 422's details.causes): `field` is a path like spec.components[0].replicas. */
export interface StatusCause {
  reason?: string;
  field?: string;
  message?: string;
}

export interface Status {
  kind?: string;
  code?: number;
  reason?: string;
  message?: string;
  details?: { causes?: StatusCause[] };
  /** The registry's error body (OCI distribution spec): {"errors": [{code, message}]}. */
  errors?: { code?: string; message?: string }[];
}

export class ApiError extends Error {
  constructor(
    /** HTTP status; 0 when the API could not be reached at all. */
    readonly code: number,
    readonly reason: string,
    message: string,
    /** The fields the API refused, when it named them. */
    readonly causes: StatusCause[] = [],
  ) {
    super(message);
  }
}

export interface RequestOptions {
  readonly method?: string;
  readonly body?: unknown;
  readonly contentType?: string;
  readonly signal?: AbortSignal;
  /** @default 'application/json' */
  readonly accept?: string;
}

export async function apiRaw(path: string, o: RequestOptions = {}): Promise<Response> {
  // The header proves the call comes from the console's pages, which lets `wharf up` add a
  // directory user's session cookie as their token (a cross-origin page cannot send it).
  const headers: Record<string, string> = { accept: o.accept ?? 'application/json', 'x-wharf-console': '1' };
  const token = getToken();
  if (token) headers.authorization = `Bearer ${token}`;
  if (o.body !== undefined) headers['content-type'] = o.contentType ?? 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method: o.method ?? 'GET',
      headers,
      body: o.body === undefined ? undefined : JSON.stringify(o.body),
      signal: o.signal,
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'NetworkError', (e as Error).message);
  }
  if (!res.ok) {
    const text = await res.text();
    let s: Status = {};
    try {
      s = JSON.parse(text) as Status;
    } catch {
      s = { message: text.trim() };
    }
    const reg = s.errors?.[0];
    throw new ApiError(
      s.code ?? res.status,
      s.reason ?? reg?.code ?? res.statusText,
      s.message || reg?.message || `HTTP ${res.status}`,
      s.details?.causes ?? [],
    );
  }
  return res;
}

export async function api<T>(path: string, o: RequestOptions = {}): Promise<T> {
  return (await (await apiRaw(path, o)).json()) as T;
}
