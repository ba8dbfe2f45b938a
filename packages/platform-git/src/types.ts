// The Repository kind (platform.wharf.dev/v1alpha1): where a project's source lives (Wharf's own
// git server or an outside forge), which pipeline each branch or tag runs, how a forge's webhook
// is checked, and what happens when pushes arrive faster than builds finish.
export const GROUP = 'platform.wharf.dev';
export const VERSION = 'v1alpha1';
export const REPOSITORY_PLURAL = 'repositories';
/** The subresource whose `create` verb RBAC checks for `git push`. */
export const PUSH_SUBRESOURCE = 'push';

/** Labels and annotations on the PipelineRuns a trigger creates. */
export const LABEL_REPOSITORY = `${GROUP}/repository`;
export const LABEL_BRANCH = `${GROUP}/branch`;
export const LABEL_MANAGED = `${GROUP}/triggered-by`;
export const ANNOTATION = {
  commit: `${GROUP}/commit`,
  author: `${GROUP}/author`,
  message: `${GROUP}/message`,
  trigger: `${GROUP}/trigger`,
  ref: `${GROUP}/ref`,
  credentials: `${GROUP}/credentials-secret`,
  supersededBy: `${GROUP}/superseded-by`,
  /** What the build did to its Application: `Deploying`, `Deployed`, `DeploymentFailed`, `NotDeployed`. */
  deployState: `${GROUP}/deploy-state`,
  /** `APP/COMPONENT` (and `:TARGET`) the build's image went to. */
  deployedTo: `${GROUP}/deployed-to`,
  /** The ApplicationRevision (number) the build made; `wharf app rollback --to-build` restores it. */
  deployedRevision: `${GROUP}/deployed-revision`,
  /** Why a deployment failed or did not happen (one line). */
  deployMessage: `${GROUP}/deploy-message`,
  /** The images the build produced, by digest (`REPO@sha256:...`, comma-separated). */
  images: `${GROUP}/images`,
} as const;

/** The deploy states a build goes through (ANNOTATION.deployState). */
export const DEPLOY_STATES = ['Deploying', 'Deployed', 'DeploymentFailed', 'NotDeployed'] as const;
export type DeployState = (typeof DEPLOY_STATES)[number];

export const PROVIDERS = ['github', 'gitlab', 'gitea', 'forgejo'] as const;
export type Provider = (typeof PROVIDERS)[number];
export const CONCURRENCY_POLICIES = ['queue', 'supersede', 'cancel-running'] as const;
export type ConcurrencyPolicy = (typeof CONCURRENCY_POLICIES)[number];

export interface SecretKeyRef {
  readonly name: string;
  readonly key: string;
}

export interface TriggerRule {
  /** Branch globs (`main`, `release/*`, `**`); a branch push matches when any does. */
  readonly branches?: readonly string[];
  /** Tag globs (`v*`). */
  readonly tags?: readonly string[];
  readonly pipelineRef: { readonly name: string };
  readonly params?: readonly { readonly name: string; readonly value: string }[];
  /**
   * Workspace bindings of the PipelineRun (Tekton's: `volumeClaimTemplate`, `persistentVolumeClaim`,
   * `emptyDir`, `configMap`, `secret`), so tasks share a checkout. @default none
   */
  readonly workspaces?: readonly ({ readonly name: string } & Record<string, unknown>)[];
}

export interface RepositorySpec {
  readonly source: {
    /** `builtin`: a bare repository on Wharf's git server; `external`: a forge at `url`. */
    readonly type: 'builtin' | 'external';
    readonly url?: string;
    /** A Secret (basic-auth or token) the build clones an external URL with. */
    readonly credentialsSecretRef?: { readonly name: string };
  };
  /** First match wins; a push no rule matches is recorded as "no pipeline for branch". */
  readonly rules?: readonly TriggerRule[];
  readonly webhook?: { readonly provider: Provider; readonly secretRef: SecretKeyRef };
  /** @default 'supersede' */
  readonly concurrency?: ConcurrencyPolicy;
}

export const RESULTS = [
  'PipelineRunCreated',
  'NoPipelineForBranch',
  'RefDeleted',
  'SignatureRefused',
  'Replayed',
  'Ignored',
  'Failed',
] as const;
export type Result = (typeof RESULTS)[number];

/** One push or delivery, newest first in status.events. */
export interface RepositoryEvent {
  readonly time: string;
  /** `push` (the built-in server) or `webhook:<provider>`. */
  readonly trigger: string;
  readonly result: Result;
  readonly ref?: string;
  readonly commit?: string;
  readonly author?: string;
  readonly message?: string;
  readonly deliveryId?: string;
  readonly pipelineRun?: string;
  readonly reason?: string;
}

export interface Repository {
  apiVersion: string;
  kind: 'Repository';
  metadata: { name: string; namespace: string; resourceVersion?: string; uid?: string };
  spec: RepositorySpec;
  status?: { cloneURL?: string; webhookPath?: string; events?: RepositoryEvent[]; lastPushTime?: string };
}

/** What a push or a webhook delivery asks to build. */
export interface PushInfo {
  /** Full ref: refs/heads/main, refs/tags/v1. */
  readonly ref: string;
  /** The new commit; absent when the ref was deleted. */
  readonly commit?: string;
  readonly author?: string;
  readonly message?: string;
  /** The URL the build clones. */
  readonly cloneUrl: string;
  readonly trigger: string;
  readonly deliveryId?: string;
}
