// The kinds of the platform.wharf.dev/v1alpha1 application model, declared once: the CRD schemas
// (crds.ts), the controllers and the `wharf app|config|secret` CLI all derive from these types.
import type { V1Condition, V1EnvVar, V1ObjectMeta, V1Probe, V1ResourceRequirements } from '@kubernetes/client-node';

export const GROUP = 'platform.wharf.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;

/** REST collection paths of the kinds, for a namespace. */
export const paths = {
  applications: (ns: string): string => `/apis/${API_VERSION}/namespaces/${ns}/applications`,
  revisions: (ns: string): string => `/apis/${API_VERSION}/namespaces/${ns}/applicationrevisions`,
  configSets: (ns: string): string => `/apis/${API_VERSION}/namespaces/${ns}/configsets`,
  memberClusters: `/apis/${API_VERSION}/memberclusters`,
} as const;

/** Labels and annotations the platform reads and writes. */
export const LABELS = {
  name: 'app.kubernetes.io/name',
  instance: 'app.kubernetes.io/instance',
  version: 'app.kubernetes.io/version',
  component: 'app.kubernetes.io/component',
  partOf: 'app.kubernetes.io/part-of',
  managedBy: 'app.kubernetes.io/managed-by',
  /** On ApplicationRevisions and everything an Application creates: the Application's name. */
  application: `${GROUP}/application`,
  /** On pods and Deployments: the ApplicationRevision number they run. */
  revision: `${GROUP}/revision`,
  /** On a ConfigSet's version ConfigMaps: the ConfigSet's name. */
  configSet: `${GROUP}/configset`,
  /** On a ConfigSet's version ConfigMaps: the version number. */
  configVersion: `${GROUP}/config-version`,
  /**
   * On a ConfigSet in the platform namespace: shared with namespaces matching
   * spec.shareWith; on its copies: where it came from (`NAMESPACE.NAME`).
   */
  sharedFrom: `${GROUP}/shared-from`,
} as const;

export const ANNOTATIONS = {
  /**
   * Set on an Application (by `wharf app rollback NAME --to N`) to roll it back to revision N:
   * images, artifacts and the exact config and secret versions of that revision. The controller
   * removes it once the rollback revision exists.
   */
  rollbackTo: `${GROUP}/rollback-to`,
  /** Set on a ConfigSet by a writer: the message of the version the next publish creates. */
  changeMessage: `${GROUP}/change-message`,
  /**
   * Set on a ConfigSet by the platform's mutating admission webhook on every write that changes
   * spec.data: the requesting user, recorded as the author of the version it publishes.
   */
  changeAuthor: `${GROUP}/change-author`,
  /**
   * Set on the running pods that read a ConfigSet in place when its mirror changes (`shop-files
   * v2`): a pod update makes the node (a kubelet too) sync the pod and re-project its files at
   * once, instead of at its next periodic resync, so a reload `delaySeconds` later sees them.
   */
  configRefreshed: `${GROUP}/config-refreshed`,
  /** On a member's copy of a placed Application: the placing cluster's ID and `NAMESPACE.NAME`. */
  federatedFrom: `${GROUP}/federated-from`,
  /** The value `managed-by` label and field manager of everything the platform writes. */
  managedBy: 'wharf-platform',
} as const;

/** The namespace whose ConfigSets may be shared with other namespaces (cluster-level config). */
export const PLATFORM_NAMESPACE = 'wharf-platform';

// ---------------------------------------------------------------- ConfigSet

export interface ConfigSetSpec {
  /** Text values by key (env var names, or file names when mounted as files). */
  data?: Record<string, string>;
  /** Binary values by key, base64 encoded (files only). */
  binaryData?: Record<string, string>;
  /**
   * In the platform namespace only: copy this ConfigSet (each version) into every namespace whose
   * labels match, so applications there can reference it by name. @default not shared
   */
  shareWith?: {
    namespaceSelector: {
      matchLabels?: Record<string, string>;
      matchExpressions?: { key: string; operator: string; values?: string[] }[];
    };
  };
  /** Versions kept (their ConfigMaps too), apart from those a kept ApplicationRevision pins. @default 20 */
  historyLimit?: number;
}

/** One published version of a ConfigSet: an immutable ConfigMap `NAME-vN`. */
export interface ConfigVersion {
  version: number;
  /** The immutable ConfigMap holding this version. */
  configMap: string;
  /** Who changed spec.data (the API request's user), when known. */
  author?: string;
  /** RFC 3339. */
  time: string;
  message?: string;
  /** sha256 of the data, to tell versions apart without reading them. */
  hash: string;
  /** Keys of the version (values live only in the ConfigMap). */
  keys: string[];
}

export interface ConfigSetStatus {
  /** The latest published version (1 after the first publish). */
  version?: number;
  /** The ConfigMap of the latest version. */
  configMap?: string;
  observedGeneration?: number;
  /** Newest first. */
  history?: ConfigVersion[];
  conditions?: V1Condition[];
}

export interface ConfigSet {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
  spec: ConfigSetSpec;
  status?: ConfigSetStatus;
}

// ---------------------------------------------------------------- Application

/** How a running component learns of a new config version. */
export type UpdatePolicy = 'rollout' | 'inPlace' | 'manual';

/** A component's use of a ConfigSet. */
export interface ConfigRef {
  configSet: string;
  /**
   * `env`: each key as an environment variable; `args`: the same, so `$(KEY)` in runtime.command
   * and runtime.args expands to it; `file`: each key a file in the directory `mountPath`.
   */
  as: 'env' | 'args' | 'file';
  /** Absolute directory for `as: file`. */
  mountPath?: string;
  /** Only these keys (each must exist). @default all keys */
  keys?: string[];
  /** Prefix of the environment variable names (`env`/`args`). @default none */
  prefix?: string;
  /**
   * `rollout`: a new ApplicationRevision pinning the new version, rolled out under health gates;
   * `inPlace` (files only): the files change in the running pods through a mutable mirror
   * ConfigMap, without a restart; `manual`: nothing until the next rollout. @default rollout
   */
  update?: UpdatePolicy;
  /**
   * After an inPlace change reached the pods, call this on each Ready pod of the component: an
   * HTTP GET, or a command run in the component's container (`exec`, through the API's
   * pods/exec; a non-zero exit is a failed reload), `delaySeconds` (default 5: the node agent
   * re-projects config files every 2 s) after the mirror changed. Exactly one of httpGet and
   * exec. @default none
   */
  reload?: { httpGet?: { path: string; port: number }; exec?: { command: string[] }; delaySeconds?: number };
}

/** A component's use of a Secret (its values never reach status, events or logs). */
export interface SecretRef {
  secret: string;
  as: 'env' | 'file';
  mountPath?: string;
  keys?: string[];
  prefix?: string;
  /** @default rollout */
  update?: Exclude<UpdatePolicy, 'inPlace'>;
}

/** N: an image holding only files (a .war, a site), shown at mountPath in the runtime container. */
export interface Artifact {
  /** @default `artifact-<index>` */
  name?: string;
  image: string;
  /** Absolute path of the files inside the artifact image. */
  path: string;
  /** Absolute path where they appear in the runtime container (read-only). */
  mountPath: string;
  /** @default IfNotPresent */
  pullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
}

/** M: the image that runs. */
export interface Runtime {
  image: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  /** @default IfNotPresent */
  pullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
}

export interface ComponentPort {
  name?: string;
  port: number;
  /** @default TCP */
  protocol?: 'TCP' | 'UDP';
}

/** Served on the built-in Ingress gateway: Service + Ingress, the URL in status. */
export interface Expose {
  host?: string;
  /** @default / */
  path?: string;
  /** The port (name or number) of `ports` to serve. @default the first */
  port?: string | number;
}

/**
 * Where a component's code comes from and which pipeline builds it: a successful run of that
 * pipeline for that branch sets the target's image by digest (from the run's IMAGE_URL and
 * IMAGE_DIGEST results), which makes a new ApplicationRevision rolled out under the health gates.
 * Exactly one of `repository` and `url`.
 */
export interface ComponentSource {
  /** A Repository (platform.wharf.dev) in the Application's namespace: Wharf's git server or a forge. */
  repository?: string;
  /** An external clone URL: builds whose `git-url` param is this URL. */
  url?: string;
  /** @default main */
  branch?: string;
  /** The tekton.dev Pipeline whose successful runs deploy. */
  pipeline: string;
  /** What a build sets: `runtime`, or the name of an artifact. @default the first artifact, else runtime */
  target?: string;
}

export interface Component {
  /** A DNS label, unique in the Application. */
  name: string;
  runtime: Runtime;
  artifacts?: Artifact[];
  /** Built and deployed from git. @default none: images are set by hand (`wharf app deploy`) */
  source?: ComponentSource;
  /** @default 1 */
  replicas?: number;
  ports?: ComponentPort[];
  expose?: Expose;
  env?: V1EnvVar[];
  config?: ConfigRef[];
  secrets?: SecretRef[];
  resources?: V1ResourceRequirements;
  /** @default readiness: a TCP check on the first port */
  probes?: { readiness?: V1Probe; liveness?: V1Probe; startup?: V1Probe };
}

export interface RolloutPolicy {
  /** New pods must stay Ready without restarts this long, at each step. @default 30 */
  analysisSeconds?: number;
  /** Config edits within this window are released together. @default 5 */
  batchSeconds?: number;
  /**
   * A step whose pods are not Ready in this time fails (and is rolled back). A failing readiness
   * probe alone does not fail it sooner: a pod warming up fails its probe too. @default 300
   */
  progressDeadlineSeconds?: number;
  /**
   * After the canary, new pods started per step above the component's replicas (a number or a
   * percentage of replicas, rounded up), as a Deployment's. @default 25%
   */
  maxSurge?: number | string;
  /** Pods per step that may be missing from the replicas serving (a percentage rounds down). @default 0 */
  maxUnavailable?: number | string;
}

/** How artifact images reach the runtime container. */
export type ArtifactDelivery = 'imageVolume' | 'initCopy';

export interface ApplicationSpec {
  /** Shown as app.kubernetes.io/version. @default the revision number */
  version?: string;
  components: Component[];
  rollout?: RolloutPolicy;
  /** ApplicationRevisions kept. @default 10 */
  revisionHistoryLimit?: number;
  /**
   * `imageVolume`: image volumes (`volumes[].image`, Kubernetes 1.31+) mounted with subPath;
   * `initCopy`: an init container copies the files into an emptyDir (the artifact image needs
   * `cp`); `auto`: image volumes where the cluster keeps them, else initCopy. @default auto
   */
  artifactDelivery?: ArtifactDelivery | 'auto';
  /**
   * Run the Application on member clusters (MemberClusters of this cluster) instead of here: the
   * federation controller writes a copy, without placement and with each member's share of the
   * replicas, into the same namespace of each member, and moves the share of a member that is
   * unreachable or has no Ready node to the others. @default none: it runs on this cluster
   */
  placement?: Placement;
}

/** Label selector over MemberClusters (matchExpressions as a Deployment's selector). */
export interface ClusterSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export interface Placement {
  /** MemberClusters by name, in order of preference. */
  clusters?: string[];
  /** Or the MemberClusters whose labels match (by name order). One of clusters and clusterSelector. */
  clusterSelector?: ClusterSelector;
  /**
   * `Spread`: each component's replicas divided among the healthy clusters (the first ones get the
   * remainder); `Failover`: all replicas on the first healthy cluster. @default Spread
   */
  policy?: 'Spread' | 'Failover';
}

/** One member cluster's part of a placed Application, in the Application's status. */
export interface PlacementStatus {
  cluster: string;
  /** Reachable with at least one Ready node. */
  healthy: boolean;
  /** The replicas it is asked to run, summed over the components. */
  replicas: number;
  /** Ready replicas its copy reports. */
  readyReplicas: number;
  url?: string;
  message?: string;
}

export type ConditionType = 'Ready' | 'Progressing' | 'Degraded';

/** Reasons of the conditions, each one a person can act on. */
export type ConditionReason =
  | 'Available'
  | 'RolledOut'
  | 'Canary'
  | 'Analysis'
  | 'Promoting'
  | 'RollingBack'
  | 'RolledBack'
  | 'ConfigSetNotFound'
  | 'ConfigKeyNotFound'
  | 'SecretNotFound'
  | 'SecretKeyNotFound'
  | 'ImageNotFound'
  | 'CrashLooping'
  | 'RolloutStuck'
  | 'PodsNotReady'
  | 'InvalidSpec'
  | 'AsExpected';

export interface ImagePin {
  component: string;
  /** `runtime`, or the artifact's name. */
  role: string;
  image: string;
  /** sha256:..., from the pods' imageID once one ran. */
  digest?: string;
}

export interface ComponentStatus {
  name: string;
  replicas: number;
  readyReplicas: number;
  updatedReplicas: number;
  url?: string;
}

/** Where the current rollout is. */
export interface RolloutStatus {
  /** The revision being rolled out. */
  revision: number;
  /** The revision it replaces (0 for the first). */
  from: number;
  /**
   * Canary: one pod per component; Promoting: all replicas; Finishing: the old revision's pods
   * are drained (out of the Service) before they go; RollingBack: the new revision's pods are.
   */
  phase: 'Canary' | 'Promoting' | 'Finishing' | 'RollingBack';
  /** When the current step started (RFC 3339). */
  stepStarted: string;
  /** When the pods of the current step were all Ready (analysis runs from here). */
  readySince?: string;
  /** Draining pods leave at this time (RFC 3339). */
  drainUntil?: string;
  /** Promoting: the step after the canary (1, 2, ...), each adding up to maxSurge + maxUnavailable new pods. */
  step?: number;
  /** Why the rollout is rolling back. */
  message?: string;
  /** Rolling back because a newer revision replaced it, not because it failed. */
  superseded?: boolean;
}

export interface ApplicationStatus {
  observedGeneration?: number;
  /** The current ApplicationRevision: the last one fully rolled out. */
  revision?: number;
  /** The served URL of the first exposed component. */
  url?: string;
  conditions?: V1Condition[];
  components?: ComponentStatus[];
  images?: ImagePin[];
  artifactDelivery?: ArtifactDelivery;
  rollout?: RolloutStatus;
  /** inPlace changes whose reload call is due at `at` (RFC 3339). */
  reloads?: PendingReload[];
  /** A placed Application: each member cluster's share and how it serves it. */
  placement?: PlacementStatus[];
}

export interface PendingReload {
  configSet: string;
  version: number;
  at: string;
}

export interface Application {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
  spec: ApplicationSpec;
  status?: ApplicationStatus;
}

// ---------------------------------------------------------------- MemberCluster

/** Cluster-scoped: another cluster placed Applications may run on. */
export interface MemberClusterSpec {
  /** A Secret in the platform namespace (wharf-platform) holding the member's kubeconfig. */
  kubeconfigSecret: {
    name: string;
    /** @default kubeconfig */
    key?: string;
  };
}

export interface MemberClusterStatus {
  /** Ready: reachable with at least one Ready node (reasons Healthy, Unreachable, NoReadyNodes, InvalidKubeconfig). */
  conditions?: V1Condition[];
  readyNodes?: number;
  /** The member's Kubernetes version (`/version` gitVersion). */
  version?: string;
  /** The UID of the member's kube-system namespace: one cluster registered twice (or this one) is told apart. */
  clusterID?: string;
}

export interface MemberCluster {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
  spec: MemberClusterSpec;
  status?: MemberClusterStatus;
}

// ---------------------------------------------------------------- ApplicationRevision

export interface PinnedConfig {
  configSet: string;
  version: number;
  configMap: string;
}

export interface PinnedSecret {
  secret: string;
  /** sha256 of the Secret's data (never the values). */
  hash: string;
  /** The immutable snapshot Secret the pods of this revision mount. */
  snapshot: string;
}

/** An immutable release snapshot: the spec, the images and the exact config and secret versions. */
export interface ApplicationRevisionSpec {
  application: string;
  revision: number;
  /** The Application spec released. */
  template: ApplicationSpec;
  /** The config versions the pods use (rollout and manual references; inPlace ones follow the mirror). */
  config: PinnedConfig[];
  secrets: PinnedSecret[];
  images: ImagePin[];
  /** Why it was made: `spec`, `config`, `secret`, `rollback to N`. */
  cause: string;
  /**
   * Fingerprint of the inputs (spec and latest config/secret versions) it was made from: a new
   * revision is made only when the inputs change, so a failed revision is never re-applied.
   */
  inputs: string;
}

export interface ApplicationRevisionStatus {
  /** `Failed` after an automatic rollback left it. */
  phase?: 'Pending' | 'Active' | 'Superseded' | 'Failed';
  message?: string;
  /** Digests seen on its pods. */
  images?: ImagePin[];
}

export interface ApplicationRevision {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
  spec: ApplicationRevisionSpec;
  status?: ApplicationRevisionStatus;
}

/** Name of the ApplicationRevision N of an Application. */
export const revisionName = (app: string, revision: number): string => `${app}-r${revision}`;
/** Name of the immutable ConfigMap of version N of a ConfigSet. */
export const configVersionName = (configSet: string, version: number): string => `${configSet}-v${version}`;
/** The Secret `wharf secret set APP KEY` writes to, which components reference by this name. */
export const appSecretName = (app: string): string => `${app}-secrets`;

/** Defaults, resolved once. */
export const DEFAULTS = {
  analysisSeconds: 30,
  batchSeconds: 5,
  progressDeadlineSeconds: 300,
  revisionHistoryLimit: 10,
  configHistoryLimit: 20,
  replicas: 1,
  maxSurge: '25%',
  maxUnavailable: 0,
} as const;

// --- Project (cluster-scoped): a team's namespaces, members, quota and defaults ---------------

export const PROJECT_ROLES = ['admin', 'developer', 'viewer'] as const;
export type ProjectRole = (typeof PROJECT_ROLES)[number];

export interface ProjectMember {
  readonly kind: 'User' | 'Group' | 'ServiceAccount';
  readonly name: string;
  /** For a ServiceAccount member. */
  readonly namespace?: string;
  readonly role: ProjectRole;
}

export interface ProjectSpec {
  readonly displayName?: string;
  /** Namespaces of the project: created (and labelled) by the controller, or adopted if they exist. */
  readonly namespaces: readonly string[];
  readonly members?: readonly ProjectMember[];
  /** The ResourceQuota each namespace of the project gets (`project-quota`). */
  readonly resourceQuota?: { readonly hard: Readonly<Record<string, string>> };
  /** Container defaults each namespace gets (LimitRange `project-defaults`). */
  readonly limitRange?: {
    readonly default?: Readonly<Record<string, string>>;
    readonly defaultRequest?: Readonly<Record<string, string>>;
  };
  /**
   * NewNamespaces (default): quota and defaults go to the namespaces the project creates; an
   * adopted namespace keeps its own. AllNamespaces: adopted namespaces get them too.
   */
  readonly quotaPolicy?: 'NewNamespaces' | 'AllNamespaces';
  /**
   * None (default): no network rules from the project. DenyFromOtherProjects: each namespace of
   * the project gets the NetworkPolicy `project-isolation`, admitting traffic from the project's
   * own namespaces and from namespaces of no project only.
   */
  readonly networkIsolation?: 'None' | 'DenyFromOtherProjects';
}

export interface ProjectNamespaceStatus {
  readonly name: string;
  /** Created: made by the project; Adopted: existed before; Conflict: another project's. */
  readonly state: 'Created' | 'Adopted' | 'Conflict' | 'Missing';
  readonly used?: Record<string, string>;
  readonly hard?: Record<string, string>;
}

export interface ProjectStatus {
  readonly observedGeneration?: number;
  readonly namespaces?: ProjectNamespaceStatus[];
  /** Sums over the namespaces with a project quota. */
  readonly total?: { readonly used: Record<string, string>; readonly hard: Record<string, string> };
  readonly conditions?: V1Condition[];
}

export interface Project {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
  spec: ProjectSpec;
  status?: ProjectStatus;
}

export const PROJECT_LABEL = `${GROUP}/project`;
/** On namespaces the project created (so quota and defaults are the project's to keep). */
export const PROJECT_CREATED_ANNOTATION = `${GROUP}/created-by-project`;
export const PROJECTS_PATH = `/apis/${API_VERSION}/projects`;
