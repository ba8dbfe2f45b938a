// The labels of everything the platform creates for an Application: the recommended
// app.kubernetes.io set, plus the platform's own keys that select pods by application,
// component, revision and whether they take traffic.
import { ANNOTATIONS, LABELS } from '../types.js';

/** Pods that take traffic carry `serving: "true"`; the Service selects on it, so draining a pod is a label change. */
export const SERVING = 'platform.wharf.dev/serving';

export function appLabels(app: string, component: string | undefined, version: string): Record<string, string> {
  return {
    [LABELS.name]: app,
    [LABELS.instance]: app,
    [LABELS.version]: version,
    ...(component ? { [LABELS.component]: component } : {}),
    [LABELS.partOf]: app,
    [LABELS.managedBy]: ANNOTATIONS.managedBy,
    [LABELS.application]: app,
  };
}

/** What selects the pods of one component (of any revision). */
export const componentSelector = (app: string, component: string): Record<string, string> => ({
  [LABELS.application]: app,
  [LABELS.component]: component,
});
