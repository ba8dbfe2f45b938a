// Reads the secret keys a channel references, from Secrets in the channel's namespace. Values are
// returned to the request builder only; errors name the Secret and key, never a value.
import type { KubeClient } from '@wharf/client';
import { ChannelConfigError, type SecretReader } from './channels/request.js';

export function secretReader(client: Pick<KubeClient, 'getOptional'>, namespace: string): SecretReader {
  return async (ref) => {
    const s = await client.getOptional<{ data?: Record<string, string> }>(
      `/api/v1/namespaces/${namespace}/secrets/${encodeURIComponent(ref.name)}`,
    );
    if (!s) throw new ChannelConfigError(`secret ${namespace}/${ref.name} not found`);
    const v = s.data?.[ref.key];
    if (v === undefined) throw new ChannelConfigError(`secret ${namespace}/${ref.name} has no key '${ref.key}'`);
    return Buffer.from(v, 'base64').toString('utf8').trim();
  };
}
