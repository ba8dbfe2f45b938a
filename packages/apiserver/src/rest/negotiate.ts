// Content negotiation: which representation the client asked for in Accept (plain JSON/YAML, a
// meta.k8s.io Table, or PartialObjectMetadata), and how a request body is encoded.
import { notAcceptable } from '../errors.js';

export type Representation = 'object' | 'table' | 'partial';

export interface Wanted {
  readonly representation: Representation;
  readonly yaml: boolean;
}

interface MediaRange {
  type: string;
  params: Map<string, string>;
}

function parseAccept(accept: string): MediaRange[] {
  return accept.split(',').map((part) => {
    const [type = '', ...rest] = part.trim().split(';');
    const params = new Map<string, string>();
    for (const p of rest) {
      const i = p.indexOf('=');
      if (i > 0) params.set(p.slice(0, i).trim().toLowerCase(), p.slice(i + 1).trim());
    }
    return { type: type.trim().toLowerCase(), params };
  });
}

/**
 * Picks the first acceptable representation in the client's order. `produces`: media types the
 * endpoint writes besides the API's (a pod's log is text/plain), acceptable as such or as `type/*`.
 */
export function negotiate(accept: string | undefined, produces: readonly string[] = []): Wanted {
  if (!accept) return { representation: 'object', yaml: false };
  for (const m of parseAccept(accept)) {
    if (produces.some((t) => t === m.type || (m.type.endsWith('/*') && t.startsWith(m.type.slice(0, -1)))))
      return { representation: 'object', yaml: false };
    const as = m.params.get('as');
    const group = m.params.get('g');
    if (as) {
      if (m.type !== 'application/json' || group !== 'meta.k8s.io') continue;
      const v = m.params.get('v');
      if (v !== 'v1' && v !== 'v1beta1') continue;
      if (as === 'Table') return { representation: 'table', yaml: false };
      if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList')
        return { representation: 'partial', yaml: false };
      continue;
    }
    if (
      m.type === 'application/json' ||
      m.type === 'application/*' ||
      m.type === '*/*' ||
      m.type === 'application/vnd.kubernetes.protobuf' ||
      m.type === 'application/vnd.kubernetes.protobuf;stream=watch' ||
      m.type === 'application/json;stream=watch'
    ) {
      // Protobuf responses are not produced; JSON is always among what real clients accept.
      if (m.type === 'application/vnd.kubernetes.protobuf' && !accept.includes('json') && !accept.includes('*/*'))
        continue;
      return { representation: 'object', yaml: false };
    }
    if (m.type === 'application/yaml') return { representation: 'object', yaml: true };
  }
  if (/application\/vnd\.kubernetes\.protobuf/.test(accept)) return { representation: 'object', yaml: false };
  throw notAcceptable(accept);
}
