// The ConfigMap kube-system/extension-apiserver-authentication, as kube-apiserver's cluster
// authentication trust controller keeps it: the CA of client certificates, and the requestheader
// settings (front proxy CA, allowed names, header names) an aggregated API server needs to accept
// the X-Remote-* identity only from this API server. Backends read it with the namespaced role
// extension-apiserver-authentication-reader.
import type { KubeObject } from '@wharf/api';
import { upsert } from './master-service.js';
import type { ObjectApi } from './api.js';

export const AUTHENTICATION_CONFIGMAP = 'extension-apiserver-authentication';
export const AUTHENTICATION_NAMESPACE = 'kube-system';

export interface AuthenticationTrust {
  /** The CA that signs client certificates (client-ca-file). */
  readonly clientCa: string;
  /** The CA of the front proxy's client certificate (requestheader-client-ca-file). */
  readonly requestHeaderCa: string;
  /** Common names allowed as the front proxy (requestheader-allowed-names). */
  readonly allowedNames: readonly string[];
}

export function authenticationConfigMap(t: AuthenticationTrust): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: AUTHENTICATION_CONFIGMAP, namespace: AUTHENTICATION_NAMESPACE },
    data: {
      'client-ca-file': t.clientCa,
      'requestheader-client-ca-file': t.requestHeaderCa,
      'requestheader-allowed-names': JSON.stringify(t.allowedNames),
      'requestheader-username-headers': JSON.stringify(['X-Remote-User']),
      'requestheader-group-headers': JSON.stringify(['X-Remote-Group']),
      'requestheader-extra-headers-prefix': JSON.stringify(['X-Remote-Extra-']),
    },
  };
}

/** Writes the ConfigMap, or puts back its data when someone changed it or the CAs changed. */
export function publishAuthenticationTrust(api: ObjectApi, t: AuthenticationTrust): Promise<void> {
  return upsert(api, '', 'configmaps', authenticationConfigMap(t), ['data']);
}
