// A node's container runtime, shared by `wharf up`'s in-process agents and `wharf agent`: kept
// apart from nodes.ts so the agent process does not load what only `wharf up` runs (client-node,
// the dataplane, the provisioner).
import { PodRuntime, ProcessRuntime, type ContainerRuntime, type RuntimeKind } from '@wharf/node';

/** A node's runtime: host processes, or runc containers on its own bridge and pod CIDR. */
export function nodeRuntime(
  kind: RuntimeKind,
  nodeName: string,
  stateDir: string,
  net: { bridge: string; podCIDR: string },
): ContainerRuntime {
  if (kind === 'process') return new ProcessRuntime({ nodeName, stateDir });
  return new PodRuntime({ nodeName, stateDir, cni: { podCIDR: net.podCIDR, bridge: net.bridge } });
}
