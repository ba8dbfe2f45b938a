// Defaults inside one container (regular, init or ephemeral), as core/v1 SetDefaults_Container,
// SetDefaults_Probe, SetDefaults_HTTPGetAction and the generated walker apply them: pull policy
// from the image tag, termination message, port protocols, probe timings, env fieldRef versions.
import { defaultResourceList } from '../../defaults/quantity.js';
import { ensureRec, rec, recs, setDefault, setDefaultIfZero, type Obj } from '../../defaults/util.js';

/**
 * The pull policy the server picks for an image: Always when the tag is "latest" or there is
 * neither tag nor digest, else IfNotPresent (a digest alone pins the image).
 */
export function defaultImagePullPolicy(image: string): 'Always' | 'IfNotPresent' {
  if (image.trim() === '') return 'IfNotPresent';
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  const hasDigest = at >= 0;
  const lastPart = name.slice(name.lastIndexOf('/') + 1);
  const colon = lastPart.lastIndexOf(':');
  const tag = colon >= 0 ? lastPart.slice(colon + 1) : '';
  if (tag === 'latest') return 'Always';
  return tag === '' && !hasDigest ? 'Always' : 'IfNotPresent';
}

/** The ObjectFieldSelector default: apiVersion v1. */
export function defaultFieldRef(holder: Obj | undefined): void {
  const ref = holder ? rec(holder, 'fieldRef') : undefined;
  if (ref) setDefaultIfZero(ref, 'apiVersion', 'v1');
}

function defaultHttpGet(handler: Obj | undefined): void {
  const get = handler ? rec(handler, 'httpGet') : undefined;
  if (!get) return;
  setDefaultIfZero(get, 'path', '/');
  setDefaultIfZero(get, 'scheme', 'HTTP');
}

/** Probe timings and handler defaults (timeout 1 s, period 10 s, success 1, failure 3). */
export function defaultProbe(probe: Obj | undefined): void {
  if (!probe) return;
  setDefaultIfZero(probe, 'timeoutSeconds', 1);
  setDefaultIfZero(probe, 'periodSeconds', 10);
  setDefaultIfZero(probe, 'successThreshold', 1);
  setDefaultIfZero(probe, 'failureThreshold', 3);
  defaultHttpGet(probe);
  const grpc = rec(probe, 'grpc');
  if (grpc) setDefault(grpc, 'service', '');
}

/** Applies the container defaults in place. */
export function defaultContainer(c: Obj): void {
  if (c.imagePullPolicy === undefined || c.imagePullPolicy === null || c.imagePullPolicy === '') {
    c.imagePullPolicy = defaultImagePullPolicy(typeof c.image === 'string' ? c.image : '');
  }
  setDefaultIfZero(c, 'terminationMessagePath', '/dev/termination-log');
  setDefaultIfZero(c, 'terminationMessagePolicy', 'File');
  for (const port of recs(c, 'ports')) setDefaultIfZero(port, 'protocol', 'TCP');
  for (const env of recs(c, 'env')) {
    const from = rec(env, 'valueFrom');
    if (from) defaultFieldRef(from);
  }
  // Resources is a struct, not a pointer, in the Go types: it always reads back, as {} at least.
  const resources = ensureRec(c, 'resources');
  defaultResourceList(resources, 'limits');
  defaultResourceList(resources, 'requests');
  defaultProbe(rec(c, 'livenessProbe'));
  defaultProbe(rec(c, 'readinessProbe'));
  defaultProbe(rec(c, 'startupProbe'));
  const lifecycle = rec(c, 'lifecycle');
  if (lifecycle) {
    defaultHttpGet(rec(lifecycle, 'postStart'));
    defaultHttpGet(rec(lifecycle, 'preStop'));
  }
}
