// Whether a pod's volumes show ConfigMaps or Secrets a user may change while it runs. The agent
// cannot watch them (a node may only get the objects its pods reference), so such pods re-read
// them more often than the rest. The service-account volume every pod gets (kube-root-ca.crt, a
// token renewed at 80% of its life, the namespace) does not count: it changes on CA rotation only.
import type { V1Pod } from '@kubernetes/client-node';

const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';

export function showsLiveContent(pod: V1Pod): boolean {
  for (const v of pod.spec?.volumes ?? []) {
    if (v.secret || (v.configMap && v.configMap.name !== ROOT_CA_CONFIGMAP)) return true;
    for (const s of v.projected?.sources ?? []) {
      if (s.secret || (s.configMap && s.configMap.name !== ROOT_CA_CONFIGMAP)) return true;
    }
  }
  return false;
}
