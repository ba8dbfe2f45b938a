// The tekton.dev/v1 PipelineRun a push creates: the rule's pipeline, the standard git params
// (git-url, git-revision, git-branch) before the rule's own, and who/what/why as annotations.
import { createHash } from 'node:crypto';
import { parseRef } from './rules.js';
import {
  ANNOTATION,
  LABEL_BRANCH,
  LABEL_MANAGED,
  LABEL_REPOSITORY,
  type PushInfo,
  type Repository,
  type TriggerRule,
} from './types.js';

export interface PipelineRun {
  apiVersion: 'tekton.dev/v1';
  kind: 'PipelineRun';
  metadata: {
    name?: string;
    generateName?: string;
    namespace: string;
    creationTimestamp?: string;
    resourceVersion?: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
  };
  spec: {
    pipelineRef: { name: string };
    params: { name: string; value: string }[];
    workspaces?: unknown[];
    status?: string;
  };
  status?: { conditions?: { type: string; status: string; reason?: string }[] };
}

/**
 * A label value for any branch name: label values allow 63 characters of [A-Za-z0-9-_.], so a
 * name that needs changing gets a hash suffix (feature/x and feature-x must not collide).
 */
export function labelValue(s: string): string {
  const clean = s.replace(/[^A-Za-z0-9-_.]/g, '-').replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  if (clean === s && s.length <= 63) return s;
  const hash = createHash('sha256').update(s).digest('hex').slice(0, 10);
  return `${clean.slice(0, 52)}-${hash}`.replace(/^-/, '');
}

/** Annotation values are free text, but a commit message can be long: the subject line and 1 KiB at most. */
const short = (s: string | undefined): string => (s ?? '').slice(0, 1024);

export function pipelineRunFor(repo: Repository, rule: TriggerRule, push: PushInfo, pending: boolean): PipelineRun {
  const ref = parseRef(push.ref);
  const credentials = repo.spec.source.credentialsSecretRef?.name;
  return {
    apiVersion: 'tekton.dev/v1',
    kind: 'PipelineRun',
    metadata: {
      generateName: `${repo.metadata.name.slice(0, 50)}-`,
      namespace: repo.metadata.namespace,
      labels: {
        [LABEL_REPOSITORY]: repo.metadata.name,
        [LABEL_BRANCH]: labelValue(ref.name),
        [LABEL_MANAGED]: 'wharf-git',
      },
      annotations: {
        [ANNOTATION.commit]: push.commit ?? '',
        [ANNOTATION.author]: short(push.author),
        [ANNOTATION.message]: short(push.message),
        [ANNOTATION.trigger]: push.trigger,
        [ANNOTATION.ref]: push.ref,
        ...(credentials ? { [ANNOTATION.credentials]: credentials } : {}),
      },
    },
    spec: {
      pipelineRef: { name: rule.pipelineRef.name },
      params: [
        { name: 'git-url', value: push.cloneUrl },
        { name: 'git-revision', value: push.commit ?? '' },
        { name: 'git-branch', value: ref.name },
        ...(rule.params ?? [])
          .filter((p) => !['git-url', 'git-revision', 'git-branch'].includes(p.name))
          .map((p) => ({ name: p.name, value: p.value })),
      ],
      ...(rule.workspaces?.length ? { workspaces: rule.workspaces.map((w) => structuredClone(w)) } : {}),
      ...(pending ? { status: 'PipelineRunPending' } : {}),
    },
  };
}
