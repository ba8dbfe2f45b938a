// The pod printer: READY, the STATUS kubectl derives from phase, reason and container states
// (Init:x/y, CrashLoopBackOff, Completed, Terminating, ...), and RESTARTS with "(5m ago)".
// Mirrors printPod of k8s.io/kubernetes/pkg/printers/internalversion (1.32).

import type { KubeObject } from '@wharf/api';
import { AGE_COLUMN, NAME_COLUMN, ageOf, col, nameOf, wide } from '../../tables/columns.js';
import type { PrintContext, Printer, TableRowCondition } from '../../tables/columns.js';
import { DESC } from '../../tables/descriptions.js';
import { arr, get, num, parseTime, since, str } from '../../tables/format.js';

const NODE_UNREACHABLE_REASON = 'NodeLost';

const SUCCEEDED_CONDITIONS: TableRowCondition[] = [
  { type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' },
];
const FAILED_CONDITIONS: TableRowCondition[] = [
  { type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' },
];

function hasCondition(pod: KubeObject, type: string): boolean {
  return arr(get(pod, 'status', 'conditions')).some((c) => get(c, 'type') === type && get(c, 'status') === 'True');
}

/** Milliseconds of lastState.terminated.finishedAt, 0 (the zero time) when absent. */
function lastFinishedAt(status: unknown): number {
  return parseTime(get(status, 'lastState', 'terminated', 'finishedAt')) ?? 0;
}

/** "Signal:9" / "ExitCode:1" for a terminated state without a reason. */
function exitText(terminated: unknown): string {
  const signal = num(get(terminated, 'signal'));
  return signal !== 0 ? `Signal:${signal}` : `ExitCode:${num(get(terminated, 'exitCode'))}`;
}

interface PodSummary {
  ready: string;
  status: string;
  restarts: string;
}

/** READY, STATUS and RESTARTS as kubectl shows them. */
export function summarizePod(pod: KubeObject, now: Date): PodSummary {
  const spec = get(pod, 'spec');
  const status = get(pod, 'status');
  const phase = str(get(status, 'phase'));
  const initSpecs = arr(get(spec, 'initContainers'));
  let total = arr(get(spec, 'containers')).length;
  let ready = 0;
  let restarts = 0;
  let restartableInitRestarts = 0;
  let lastRestart = 0;
  let lastRestartableInitRestart = 0;

  let reason = str(get(status, 'reason')) || phase;
  for (const c of arr(get(status, 'conditions'))) {
    if (get(c, 'type') === 'PodScheduled' && get(c, 'reason') === 'SchedulingGated') reason = 'SchedulingGated';
  }

  // Sidecars (init containers with restartPolicy Always) count as regular containers.
  const restartable = new Set<string>();
  for (const c of initSpecs) {
    if (get(c, 'restartPolicy') === 'Always') {
      restartable.add(str(get(c, 'name')));
      total++;
    }
  }

  let initializing = false;
  const initStatuses = arr(get(status, 'initContainerStatuses'));
  for (const [i, c] of initStatuses.entries()) {
    const count = num(get(c, 'restartCount'));
    const isSidecar = restartable.has(str(get(c, 'name')));
    restarts += count;
    lastRestart = Math.max(lastRestart, lastFinishedAt(c));
    if (isSidecar) {
      restartableInitRestarts += count;
      lastRestartableInitRestart = Math.max(lastRestartableInitRestart, lastFinishedAt(c));
    }
    const terminated = get(c, 'state', 'terminated');
    const waitingReason = str(get(c, 'state', 'waiting', 'reason'));
    if (terminated !== undefined && num(get(terminated, 'exitCode')) === 0) continue;
    if (isSidecar && get(c, 'started') === true) {
      if (get(c, 'ready') === true) ready++;
      continue;
    }
    if (terminated !== undefined) {
      const r = str(get(terminated, 'reason'));
      reason = r !== '' ? `Init:${r}` : `Init:${exitText(terminated)}`;
    } else if (waitingReason !== '' && waitingReason !== 'PodInitializing') {
      reason = `Init:${waitingReason}`;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || hasCondition(pod, 'Initialized')) {
    restarts = restartableInitRestarts;
    lastRestart = lastRestartableInitRestart;
    let hasRunning = false;
    const statuses = arr(get(status, 'containerStatuses'));
    // Walk backwards so the first container's state has the last word.
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i];
      restarts += num(get(c, 'restartCount'));
      lastRestart = Math.max(lastRestart, lastFinishedAt(c));
      const waitingReason = str(get(c, 'state', 'waiting', 'reason'));
      const terminated = get(c, 'state', 'terminated');
      if (waitingReason !== '') {
        reason = waitingReason;
      } else if (terminated !== undefined) {
        const r = str(get(terminated, 'reason'));
        reason = r !== '' ? r : exitText(terminated);
      } else if (get(c, 'ready') === true && get(c, 'state', 'running') !== undefined) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) reason = hasCondition(pod, 'Ready') ? 'Running' : 'NotReady';
  }

  const deleting = pod.metadata?.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null;
  if (deleting && str(get(status, 'reason')) === NODE_UNREACHABLE_REASON) {
    reason = 'Unknown';
  } else if (deleting && phase !== 'Succeeded' && phase !== 'Failed') {
    reason = 'Terminating';
  }

  let restartText = String(restarts);
  if (restarts !== 0 && lastRestart !== 0) {
    restartText = `${restarts} (${since(new Date(lastRestart).toISOString(), now)} ago)`;
  }
  return { ready: `${ready}/${total}`, status: reason, restarts: restartText };
}

function readinessGates(pod: KubeObject): string {
  const gates = arr(get(pod, 'spec', 'readinessGates'));
  if (gates.length === 0) return '<none>';
  const conditions = arr(get(pod, 'status', 'conditions'));
  let trueCount = 0;
  for (const gate of gates) {
    const cond = conditions.find((c) => get(c, 'type') === get(gate, 'conditionType'));
    if (cond !== undefined && get(cond, 'status') === 'True') trueCount++;
  }
  return `${trueCount}/${gates.length}`;
}

export const podPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'string', 'The aggregate status of the containers in this pod.'),
    col(
      'Restarts',
      'string',
      'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
    ),
    AGE_COLUMN,
    wide('IP', 'string', DESC.podIP),
    wide('Node', 'string', DESC.podNodeName),
    wide('Nominated Node', 'string', DESC.nominatedNodeName),
    wide('Readiness Gates', 'string', DESC.readinessGates),
  ],
  cells(pod: KubeObject, ctx: PrintContext): unknown[] {
    const s = summarizePod(pod, ctx.now);
    const podIP = str(get(arr(get(pod, 'status', 'podIPs'))[0], 'ip')) || str(get(pod, 'status', 'podIP'));
    return [
      nameOf(pod),
      s.ready,
      s.status,
      s.restarts,
      ageOf(pod, ctx),
      podIP || '<none>',
      str(get(pod, 'spec', 'nodeName')) || '<none>',
      str(get(pod, 'status', 'nominatedNodeName')) || '<none>',
      readinessGates(pod),
    ];
  },
  conditions(pod: KubeObject): TableRowCondition[] | undefined {
    const phase = get(pod, 'status', 'phase');
    if (phase === 'Succeeded') return SUCCEEDED_CONDITIONS;
    if (phase === 'Failed') return FAILED_CONDITIONS;
    return undefined;
  },
};
