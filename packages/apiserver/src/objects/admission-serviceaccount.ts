// ServiceAccount admission with tokens: a new pod runs as its namespace's "default" service
// account unless it names one, inherits that account's imagePullSecrets when it has none, and —
// unless the pod or the account sets automountServiceAccountToken: false — gets the projected
// kube-api-access-<suffix> volume (token, kube-root-ca.crt, namespace) mounted in every container.
import { isRecord } from '@wharf/api';
import { admitServiceAccount } from '../defaults/index.js';
import { objectKey, type Store } from '../storage/index.js';
import type { AdmissionPlugin } from './context.js';

export interface ServiceAccountAdmissionOptions {
  /** Add the projected token volume to new pods. @default true */
  readonly mountToken?: boolean;
  /** The volume-name suffix (tests pass a fixed one). @default random, 5 characters */
  readonly suffix?: () => string;
}

export function serviceAccountTokenAdmission(store: Store, opts: ServiceAccountAdmissionOptions = {}): AdmissionPlugin {
  return (req) => {
    const { group, kind } = req.served.info;
    if (req.operation !== 'CREATE' || req.subresource || group !== '' || kind !== 'Pod' || !req.object) return;
    const spec = req.object.spec;
    if (!isRecord(spec)) return;
    const name =
      typeof spec.serviceAccountName === 'string' && spec.serviceAccountName
        ? spec.serviceAccountName
        : typeof spec.serviceAccount === 'string' && spec.serviceAccount
          ? spec.serviceAccount
          : 'default';
    const sa = store.get(objectKey('', 'serviceaccounts', req.namespace, name));
    const saAutomount =
      sa && typeof sa.automountServiceAccountToken === 'boolean' ? sa.automountServiceAccountToken : undefined;
    admitServiceAccount(req.object, {
      mountToken: opts.mountToken ?? true,
      ...(saAutomount !== undefined ? { serviceAccountAutomount: saAutomount } : {}),
      ...(opts.suffix ? { suffix: opts.suffix } : {}),
    });
    const pullSecrets = sa && Array.isArray(sa.imagePullSecrets) ? sa.imagePullSecrets.filter(isRecord) : [];
    if (pullSecrets.length && !(Array.isArray(spec.imagePullSecrets) && spec.imagePullSecrets.length)) {
      spec.imagePullSecrets = pullSecrets.map((s) => ({ name: s.name }));
    }
  };
}
