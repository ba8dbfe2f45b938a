// Which Kubernetes version a node agent runs for, reported as its nodeInfo.kubeletVersion, and the
// kubelet skew policy it must keep with the API server: never newer, at most three minors older.
// Kept free of @wharf/apiserver (the window's tables) so the agent process stays small.

/** kubelets may be up to three minors older than the API server (skew policy since 1.28), never newer. */
export const KUBELET_MAX_MINORS_BEHIND = 3;

const VERSION = /^v?(1)\.(\d+)\.(\d+)$/;

/** `X.Y.Z` from `X.Y.Z` or `vX.Y.Z`; throws naming the flag otherwise. */
export function parseAgentVersion(v: string, flag = '--kubernetes-version'): string {
  const m = VERSION.exec(v.trim());
  if (!m) throw new Error(`${flag} must be a Kubernetes version X.Y.Z, got "${v}"`);
  return `${m[1]}.${m[2]}.${m[3]}`;
}

const parts = (v: string): number[] => parseAgentVersion(v).split('.').map(Number);

/** Why an agent of `agent` may not serve a control plane of `controlPlane` (both X.Y.Z), or undefined. */
export function agentSkew(agent: string, controlPlane: string): string | undefined {
  const [, am = 0, ap = 0] = parts(agent);
  const [, cm = 0, cp = 0] = parts(controlPlane);
  if (am > cm || (am === cm && ap > cp))
    return `the agent's ${agent} is newer than the API server's ${controlPlane}: agents may not be newer than the API server`;
  if (cm - am > KUBELET_MAX_MINORS_BEHIND)
    return `the agent's ${agent} is more than ${KUBELET_MAX_MINORS_BEHIND} minors older than the API server's ${controlPlane}`;
  return undefined;
}

/**
 * The version `wharf up` starts a node's agent process for: the one it ran before while the skew
 * policy allows it (a control-plane upgrade leaves agents as they are; the upgrade's node step
 * moves each in turn), else the control plane's.
 */
export function nodeAgentVersion(recorded: string | undefined, controlPlane: string): string {
  if (recorded === undefined) return controlPlane;
  try {
    return agentSkew(recorded, controlPlane) ? controlPlane : parseAgentVersion(recorded);
  } catch {
    return controlPlane;
  }
}
