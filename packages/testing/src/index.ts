export {
  WharfProcess,
  freeClusterPorts,
  freePort,
  NODE_PROCESSES,
  REPO_ROOT,
  WHARF_BIN,
  type WharfEndpoint,
  type WharfOptions,
} from './wharf-process.js';
export { runWharf, type WharfRun, type WharfRunOptions } from './wharf-cli.js';
export { clusterSpecYaml, type TestCluster } from './cluster-spec.js';
export { Kubectl, KUBECTL_120, KUBECTL_132, eventually, type KubectlResult } from './kubectl.js';
export { RawApi, json, type RawResponse, type RawRequestOptions } from './raw-api.js';
export { buildBaseImage, buildBusyboxImage, busyboxRootfs } from './busybox.js';
export { dirInUse, removeNewTempDirs, wharfTempDirs } from './temp-dirs.js';
export { runcUnavailable, toolUnavailable } from './runtime.js';
export { KINDS, type KindCase } from './kinds.js';
export { clientCertificate, servingCertificate, type ServingCertificate } from './certs.js';
export { askBackendDirectly } from './aggregated.js';
export {
  httpAnswer,
  httpGet,
  httpText,
  steadyRequests,
  type HttpAnswer,
  type HttpGetOptions,
  type HttpReply,
  type SteadyResult,
} from './http.js';
export { crdManifest, crdName, type CrdOptions } from './crd.js';
export { ociArchive, importImage, writeFiles, type OciArchiveOptions } from './oci-archive.js';
export { buildWar, jdkUnavailable, type WarOptions } from './war.js';
export {
  tomcatImage,
  scratchImage,
  testCacheDir,
  TOMCAT_IMAGE,
  TOMCAT_APP_BASE,
  TOMCAT_PORT,
  TOMCAT_WRITABLE_DIRS,
  TOMCAT_PACKAGES,
  type BuiltImage,
} from './tomcat.js';
export { captureLogger, LEVEL, type LogLine } from './logs.js';
export { OidcTestProvider, type OidcUser, type OidcProviderOptions, type BrowseResult } from './oidc-provider.js';
export { EtcdCluster, etcdUnavailable } from './etcd.js';
export { Slapd, slapdUnavailable, LDAP_SUFFIX, type LdapPerson, type LdapGroup } from './slapd.js';
export { manualClock, type ManualClock } from './manual-clock.js';
export { processAlive, sharedWharf, stopSharedWharf } from './shared-wharf.js';
export { HTTPD_PORT, httpdCommand, httpdDeployment, type HttpdDeploymentOptions } from './httpd.js';
