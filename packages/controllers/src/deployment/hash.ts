// The pod-template-hash: FNV-32a of the pod template (plus the collision count) encoded with the
// "safe" alphabet of k8s.io/apimachinery's rand.SafeEncodeString (no vowels, no look-alikes).
import type { V1PodTemplateSpec } from '@kubernetes/client-node';
import { stableJson } from '../common/pods.js';

const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

function fnv32a(s: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(s, 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function safeEncode(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += ALPHANUMS[s.charCodeAt(i) % ALPHANUMS.length];
  return out;
}

export function podTemplateHash(template: V1PodTemplateSpec | undefined, collisionCount?: number): string {
  let input = stableJson(template ?? {});
  if (collisionCount !== undefined && collisionCount !== null) input += String(collisionCount);
  return safeEncode(String(fnv32a(input)));
}
