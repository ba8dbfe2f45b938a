// What the delivery controller reads of the kinds it links: Applications and ApplicationRevisions
// (platform.wharf.dev, declared in @wharf/platform-apps) and tekton.dev/v1 PipelineRuns (declared
// in @wharf/platform-pipelines). Platform packages import only @wharf/api and @wharf/client, so
// these are the structural subsets the link needs, read as the API serves them.
import { GROUP, VERSION } from '../types.js';

export const APPLICATIONS = `/apis/${GROUP}/${VERSION}/applications`;
export const REVISIONS = `/apis/${GROUP}/${VERSION}/applicationrevisions`;
export const PIPELINERUNS = '/apis/tekton.dev/v1/pipelineruns';
export const appPath = (ns: string, name: string): string =>
  `/apis/${GROUP}/${VERSION}/namespaces/${ns}/applications/${name}`;
export const runPath = (ns: string, name: string): string =>
  `/apis/tekton.dev/v1/namespaces/${ns}/pipelineruns/${name}`;
/** On ApplicationRevisions (set by the Application controller): the Application's name. */
export const LABEL_APPLICATION = `${GROUP}/application`;

interface Meta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** metadata.creationTimestamp as the API sends it (RFC 3339; typed Date by client-node's models). */
export const createdAt = (o: { metadata?: object }): string =>
  String((o.metadata as { creationTimestamp?: unknown } | undefined)?.creationTimestamp ?? '');

/** Application spec.components[].source (see @wharf/platform-apps types.ts). */
export interface SourceView {
  repository?: string;
  url?: string;
  branch?: string;
  pipeline: string;
  target?: string;
}

export interface ComponentView {
  name: string;
  runtime: { image: string };
  artifacts?: { name?: string; image: string }[];
  source?: SourceView;
}

export interface ApplicationView {
  apiVersion?: string;
  kind?: string;
  metadata?: Meta;
  spec: { components: ComponentView[] };
  status?: { revision?: number; rollout?: { revision: number } };
}

export interface RevisionView {
  metadata?: Meta;
  spec: { application: string; revision: number; template: { components: ComponentView[] }; cause?: string };
  status?: { phase?: 'Pending' | 'Active' | 'Superseded' | 'Failed'; message?: string };
}

export interface RunView {
  apiVersion?: string;
  kind?: string;
  metadata?: Meta;
  spec: { pipelineRef?: { name: string }; params?: { name: string; value: unknown }[] };
  status?: {
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    results?: { name: string; value: unknown }[];
  };
}
