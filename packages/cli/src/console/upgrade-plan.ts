// GET /console-api/upgrade-plan: what `wharf cluster upgrade NAME --to X` says before --yes, for
// the console's Cluster page, read-only: for each version this Wharf can go to from the running
// one (the latest patch of its minor, the next minor), the steps and the preflight's blockers and
// risks, hence GO or NO-GO. The cluster is read with the user's own token (nodes,
// PodDisruptionBudgets, /metrics: a user who may not read them gets the API's refusal); only what
// the API cannot tell is read on this machine: the apiVersion objects are stored in, the audit
// log, and the backups of the `wharf cluster` that runs this data dir (none: a blocker, as in the CLI).
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { KUBERNETES_MINORS, minorIndex, minorOf, removedBetween } from '@wharf/apiserver';
import { ApiError, KubeClient } from '@wharf/client';
import { readRecord, stateDir } from '../cluster/lifecycle.js';
import { currentVersion, gatherFacts } from '../cluster/upgrade-facts.js';
import { preflight, type Finding } from '../cluster/upgrade-plan.js';
import type { ApiTarget } from './proxy.js';
import { sessionToken } from './session.js';

export const UPGRADE_PLAN_PATH = '/console-api/upgrade-plan';

/** The CLI's default for --backup-max-age (seconds): a backup older than a day is no backup. */
const BACKUP_MAX_AGE_MS = 24 * 3600_000;

export interface PlanOf {
  readonly to: string;
  /** The nodes drained and upgraded one at a time, in order. */
  readonly nodes: string[];
  readonly removed: { groupVersion: string; replacement: string }[];
  readonly findings: Finding[];
  readonly go: boolean;
}

export interface UpgradePlans {
  readonly from: string;
  readonly cluster: string | undefined;
  readonly plans: PlanOf[];
}

/** Where `wharf cluster upgrade` may go from `from` (X.Y.Z): this minor's latest patch, the next minor's. */
export function upgradeTargets(from: string): string[] {
  const minor = minorOf(from);
  const next = `1.${minorIndex(minor) + 1}`;
  const patch = Number(from.split('.')[2]);
  return [
    ...(KUBERNETES_MINORS[minor] !== undefined && (KUBERNETES_MINORS[minor] ?? 0) > patch
      ? [`${minor}.${KUBERNETES_MINORS[minor]}`]
      : []),
    ...(KUBERNETES_MINORS[next] !== undefined ? [`${next}.${KUBERNETES_MINORS[next]}`] : []),
  ];
}

/** The `wharf cluster` (in the default state store) that runs `dataDir`, if one does. */
export function clusterOf(dataDir: string, state = stateDir({})): string | undefined {
  let names: string[];
  try {
    names = readdirSync(state);
  } catch {
    return undefined;
  }
  return names.find((n) => {
    const r = readRecord({ state }, n);
    return r !== undefined && resolve(r.spec.dataDir) === resolve(dataDir);
  });
}

/** A client of the API as the console's user: their token, none of ours. */
export function userClient(api: ApiTarget, token: string): KubeClient {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: 'wharf',
        server: `https://${api.host}:${api.port}`,
        caData: Buffer.from(api.ca).toString('base64'),
        skipTLSVerify: false,
      },
    ],
    users: [{ name: 'user', token }],
    contexts: [{ name: 'user', cluster: 'wharf', user: 'user' }],
    currentContext: 'user',
  });
  return new KubeClient(kc, { requestTimeoutMs: 20_000, userAgent: 'wharf-console' });
}

export async function planUpgrades(
  c: KubeClient,
  dataDir: string,
  cluster: string | undefined,
  now = Date.now(),
): Promise<UpgradePlans> {
  const from = await currentVersion(c);
  const plans: PlanOf[] = [];
  for (const to of upgradeTargets(from)) {
    // No cluster record: no backups to find (the name matches none).
    const facts = await gatherFacts({}, { name: cluster ?? '', dataDir }, c, to, BACKUP_MAX_AGE_MS);
    const findings = preflight({ ...facts, now });
    plans.push({
      to,
      nodes: facts.agents.map((a) => a.node).sort(),
      findings,
      go: !findings.some((f) => f.level === 'blocker'),
      removed: removedBetween(from, to).map((a) => ({
        groupVersion: `${a.group}/${a.version}`,
        replacement: a.replacement,
      })),
    });
  }
  return { from, cluster, plans };
}

export async function upgradePlan(
  api: ApiTarget,
  dataDir: string,
  headers: IncomingHttpHeaders,
  res: ServerResponse,
): Promise<void> {
  const json = (status: number, body: unknown): void => {
    res
      .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
      .end(JSON.stringify(body));
  };
  const token = /^Bearer (\S+)$/.exec(headers.authorization ?? '')?.[1] ?? sessionToken(headers);
  if (!token)
    return json(401, {
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      code: 401,
      reason: 'Unauthorized',
      message: 'sign in first',
    });
  const c = userClient(api, token);
  try {
    json(200, await planUpgrades(c, dataDir, clusterOf(dataDir)));
  } catch (e) {
    // The API's refusal as it gave it (403 for a user who may not read nodes or /metrics).
    if (e instanceof ApiError)
      res.writeHead(e.status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(e.body);
    else
      json(503, {
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        code: 503,
        reason: 'ServiceUnavailable',
        message: `the upgrade plan could not be made: ${(e as Error).message}`,
      });
  } finally {
    c.close();
  }
}
