// One line per failure, naming what was wrong and where: a 404 says which object in which
// namespace, a 403 which verb on which resource, anything else the API server's own message.
import { ApiError } from '@wharf/client';

/** What a request was about, to name it in an error. */
export interface Target {
  readonly verb: string;
  /** The resource as a person says it: `application`, `configset`, `secret`, `pods/log`. */
  readonly resource: string;
  readonly name?: string;
  readonly namespace: string;
}

/** An error the CLI prints as is (one line) before exiting non-zero. */
export class CliError extends Error {
  override readonly name = 'CliError';
}

/** The Status message of an API error body, if it has one. */
function statusMessage(e: ApiError): string | undefined {
  try {
    return (JSON.parse(e.body) as { message?: string }).message || undefined;
  } catch {
    return undefined;
  }
}

/** The error to show for a failed request about `t`. */
export function explain(e: unknown, t: Target): Error {
  if (!(e instanceof ApiError)) return e instanceof Error ? e : new Error(String(e));
  const what = t.name ? `${t.resource} ${t.name}` : `${t.resource}s`;
  if (e.status === 404) return new CliError(`${what} not found in namespace ${t.namespace}`);
  if (e.status === 403)
    return new CliError(
      `forbidden: you may not ${t.verb} ${t.resource}s in namespace ${t.namespace}${statusMessage(e) ? ` (${statusMessage(e)})` : ''}`,
    );
  if (e.status === 401) return new CliError("unauthorized: the kubeconfig's credentials were refused");
  if (e.status === 409 && e.reason === 'AlreadyExists')
    return new CliError(`${what} already exists in namespace ${t.namespace}`);
  return new CliError(
    `cannot ${t.verb} ${what} in namespace ${t.namespace}: ${statusMessage(e) ?? `HTTP ${e.status}`}`,
  );
}

/** Runs a request, turning its failure into a one-line error about `t`. */
export async function about<T>(t: Target, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (e) {
    throw explain(e, t);
  }
}
