// NodeRestriction admission: what the Node restriction cannot see from the URL alone. A node
// creates only its own Node and its own Lease in kube-node-lease (the name is in the body).
import { forbidden } from '../errors.js';
import { NODE_LEASE_NAMESPACE, nodeNameOf } from '../auth/node-authorizer.js';
import type { AdmissionPlugin } from './context.js';

export function nodeRestrictionAdmission(): AdmissionPlugin {
  return (req) => {
    if (req.operation !== 'CREATE' || !req.object) return;
    const node = nodeNameOf(req.ctx.user);
    if (!node) return;
    const { group, kind } = req.served.info;
    const name = req.object.metadata?.name ?? '';
    if (group === '' && kind === 'Node' && name !== node) {
      throw forbidden(
        `node "${node}" is not allowed to create a Node object named "${name}": a node may only register itself`,
      );
    }
    if (
      group === 'coordination.k8s.io' &&
      kind === 'Lease' &&
      (req.namespace !== NODE_LEASE_NAMESPACE || name !== node)
    ) {
      throw forbidden(
        `node "${node}" is not allowed to create lease "${req.namespace}/${name}": a node may only create its own lease in ${NODE_LEASE_NAMESPACE}`,
      );
    }
  };
}
