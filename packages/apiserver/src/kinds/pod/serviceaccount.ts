// The ServiceAccount admission plugin's changes to a new Pod: serviceAccountName "default" when
// unset and, when asked, the projected "kube-api-access-<suffix>" token volume mounted read-only
// at /var/run/secrets/kubernetes.io/serviceaccount in every container, as the real server adds.
import { randomBytes } from 'node:crypto';
import { DEFAULT_FILE_MODE } from './volume-defaults.js';
import { rec, recs, type Obj } from '../../defaults/util.js';

export const SERVICE_ACCOUNT_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';

/** Token lifetime the admission plugin asks for: one hour plus 7 s, so kubelets can spot it. */
const TOKEN_EXPIRATION_SECONDS = 3607;

export interface AdmitServiceAccountOptions {
  /**
   * Add the projected token volume and its mounts (unless the pod or its service account opts
   * out with automountServiceAccountToken: false, or a container already mounts that path).
   * @default false
   */
  mountToken?: boolean;
  /** The service account's own automountServiceAccountToken, when known. */
  serviceAccountAutomount?: boolean;
  /** The 5-character volume-name suffix; random by default (tests pass a fixed one). */
  suffix?: () => string;
}

const alphabet = 'bcdfghjklmnpqrstvwxz2456789';

function randomSuffix(): string {
  let s = '';
  for (const b of randomBytes(5)) s += alphabet[b % alphabet.length];
  return s;
}

/** The projected volume the plugin adds (already defaulted). */
export function serviceAccountTokenVolume(name: string): Obj {
  return {
    name,
    projected: {
      defaultMode: DEFAULT_FILE_MODE,
      sources: [
        { serviceAccountToken: { expirationSeconds: TOKEN_EXPIRATION_SECONDS, path: 'token' } },
        { configMap: { items: [{ key: 'ca.crt', path: 'ca.crt' }], name: 'kube-root-ca.crt' } },
        {
          downwardAPI: {
            items: [{ fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' }, path: 'namespace' }],
          },
        },
      ],
    },
  };
}

/** Applies the ServiceAccount admission to a Pod being created, in place. */
export function admitServiceAccount(pod: Obj, options: AdmitServiceAccountOptions = {}): void {
  const spec = rec(pod, 'spec');
  if (!spec) return;
  if (typeof spec.serviceAccountName !== 'string' || spec.serviceAccountName === '') {
    spec.serviceAccountName =
      typeof spec.serviceAccount === 'string' && spec.serviceAccount !== '' ? spec.serviceAccount : 'default';
  }
  spec.serviceAccount = spec.serviceAccountName;
  if (!options.mountToken) return;
  const automount =
    typeof spec.automountServiceAccountToken === 'boolean'
      ? spec.automountServiceAccountToken
      : options.serviceAccountAutomount;
  if (automount === false || isMirrorPod(pod)) return;
  const containers = [...recs(spec, 'initContainers'), ...recs(spec, 'containers')];
  const needing = containers.filter(
    (c) => !recs(c, 'volumeMounts').some((m) => m.mountPath === SERVICE_ACCOUNT_MOUNT_PATH),
  );
  if (needing.length === 0) return;
  const name = `kube-api-access-${(options.suffix ?? randomSuffix)()}`;
  const volumes = Array.isArray(spec.volumes) ? spec.volumes : [];
  volumes.push(serviceAccountTokenVolume(name));
  spec.volumes = volumes;
  for (const c of needing) {
    const mounts = Array.isArray(c.volumeMounts) ? c.volumeMounts : [];
    mounts.push({ mountPath: SERVICE_ACCOUNT_MOUNT_PATH, name, readOnly: true });
    c.volumeMounts = mounts;
  }
}

function isMirrorPod(pod: Obj): boolean {
  const meta = rec(pod, 'metadata');
  const annotations = meta ? rec(meta, 'annotations') : undefined;
  return annotations !== undefined && 'kubernetes.io/config.mirror' in annotations;
}
