// @wharf/node: the node agent. Its container runtimes (runc under conmon, or host
// processes where runc or root is missing) and pod networking (CNI plugins).
export { PodRuntime, type PodRuntimeOptions } from './runtime/pod-runtime.js';
export { ProcessRuntime, type ProcessRuntimeOptions } from './runtime/process-runtime.js';
export {
  sandboxId,
  readRuntimeKind,
  type ContainerRuntime,
  type RuntimeKind,
  type ExecSyncResult,
} from './runtime/runtime.js';
export type {
  BindMount,
  ContainerConfig,
  ContainerReason,
  ContainerResources,
  ContainerState,
  ContainerStatus,
  DnsConfig,
  PodSandbox,
  PodSandboxConfig,
  PodSandboxState,
  SecurityContext,
} from './runtime/types.js';
export { AlreadyExistsError, ContainerStartError, InvalidStateError, NotFoundError } from './runtime/errors.js';
export { InvalidContainerConfigError, resolveArgs, buildOciSpec, type OciSpec } from './runtime/oci-spec.js';
export {
  UnknownCapabilityError,
  DEFAULT_CAPABILITIES,
  ALL_CAPABILITIES,
  containerCapabilities,
} from './runtime/capabilities.js';
export { parseCriLogLine, type CriLogLine } from './runtime/cri-log.js';
export {
  PodNetwork,
  PodNetworkError,
  type PodNetworkOptions,
  type PortMapping,
  type PodNetworkStatus,
} from './network/pod-network.js';
export { CniError, CniExecutor, type CniResult, type CniConfList } from './network/cni.js';
export { listNetns } from './network/netns.js';
export {
  LocalProvisioner,
  LOCAL_PROVISIONER,
  DEFAULT_CLASS as DEFAULT_STORAGE_CLASS,
  type LocalNodeStorage,
} from './storage/local-provisioner.js';
export { ensureHostAddress, removeHostAddress } from './network/host-address.js';
export {
  installGuard,
  removeGuard,
  removeGuardRoutes,
  guardedRoutes,
  GUARD_DEVICE,
  GUARD_CHAIN,
} from './network/guard.js';
export { CommandError } from './util/exec.js';
export {
  KUBELET_PORT,
  NodeAgent,
  resolveNodeAgentOptions,
  type NodeServing,
  type NodeAgentOptions,
  type ResolvedNodeAgentOptions,
} from './agent/agent.js';
export { KUBELET_VERSION, kubeletVersionFor } from './agent/node-status.js';
export { ImagePullError, type ImageProvider, type ImageConfig, type EnsuredImage } from './agent/image-provider.js';
export {
  LogServer,
  parseLogQuery,
  type ApiServerCheck,
  type LogQuery,
  type LogFile,
  type LogResolver,
} from './agent/logs.js';
export { RegistryImageProvider, type RegistryImageProviderOptions } from './images/registry-provider.js';
export { ClusterDns, type ClusterDnsOptions } from './dns/cluster-dns.js';
export type { InheritedListeners, ListenerHandle } from './util/inherited.js';
export { podCidrGateway, podDnsConfig, type ClusterDnsSettings } from './dns/pod-dns.js';
export {
  installRedirect as installClusterDnsRedirect,
  removeRedirect as removeClusterDnsRedirect,
} from './dns/redirect.js';
export {
  IngressGateway,
  INGRESS_CONTROLLER,
  resolveIngressGatewayOptions,
  type IngressGatewayOptions,
  type ResolvedIngressGatewayOptions,
} from './ingress/gateway.js';
export {
  ServiceProxy,
  ProxyUnavailableError,
  proxyPrefix,
  DEFAULT_SERVICE_CIDR,
  cleanupServiceRules,
  iptablesBackend,
  type ServiceProxyOptions,
  type IptablesBackend,
} from './proxy/index.js';
export {
  VolumeManager,
  PodVolumesError,
  mountsFor,
  type VolumeManagerOptions,
  type PodVolumes,
} from './volumes/manager.js';
export {
  VolumeError,
  escapePluginName,
  type VolumePlugin,
  type VolumeSpec,
  type VolumeHost,
  type MountedVolume,
} from './volumes/plugin.js';
export { builtInPlugins } from './volumes/plugins.js';
export { writeAtomically, type Payload, type FileProjection } from './volumes/atomic-writer.js';
export { kubeVolumeApi, type VolumeApi, type DataObject } from './volumes/api.js';
export { HostMounter, type Mounter } from './volumes/mounter.js';
export {
  PolicyEnforcer,
  policyPrefix,
  policySources,
  cleanupPolicyRules,
  type PolicyEnforcerOptions,
  type PolicySources,
} from './netpol/enforcer.js';
export { buildPolicyRuleSet, policyJumps, type PolicyRuleSetInput } from './netpol/rules.js';
