// What `wharf app ls|get|history` print for people: pure functions of the objects, so the
// columns are unit-tested. Secrets appear as names and content hashes, never values.
import type { Application, ApplicationRevision, ImagePin } from '@wharf/platform-apps';
import { age, renderTable } from '../kube/output.js';

const condition = (app: Application, type: string) => app.status?.conditions?.find((c) => c.type === type);

/** `ready/desired` over all components of the current revision. */
function readyOf(app: Application): string {
  const comps = app.status?.components ?? [];
  const want = app.spec.components.reduce((n, c) => n + (c.replicas ?? 1), 0);
  return `${comps.reduce((n, c) => n + c.readyReplicas, 0)}/${want}`;
}

/** One word for the state: Progressing's reason while rolling out, Degraded's when degraded, else Ready. */
export function stateOf(app: Application): string {
  const degraded = condition(app, 'Degraded');
  if (degraded?.status === 'True') return degraded.reason ?? 'Degraded';
  const progressing = condition(app, 'Progressing');
  if (progressing?.status === 'True') return progressing.reason ?? 'Progressing';
  const ready = condition(app, 'Ready');
  if (!ready) return 'Pending';
  return ready.status === 'True' ? 'Ready' : (ready.reason ?? 'NotReady');
}

export function renderAppList(apps: readonly Application[], now: number): string {
  if (!apps.length) return '';
  return renderTable(
    ['NAME', 'REVISION', 'READY', 'STATE', 'URL', 'AGE'],
    apps.map((a) => [
      a.metadata?.name ?? '',
      a.status?.revision === undefined ? '-' : String(a.status.revision),
      readyOf(a),
      stateOf(a),
      a.status?.url ?? '-',
      age(a.metadata?.creationTimestamp, now),
    ]),
  );
}

const imageLine = (p: ImagePin): string => `${p.image}${p.digest ? `@${p.digest.slice(0, 19)}` : ''}`;

export function renderApp(app: Application, now: number): string {
  const s = app.status ?? {};
  const lines = [
    `Name:        ${app.metadata?.name ?? ''}`,
    `Namespace:   ${app.metadata?.namespace ?? ''}`,
    `Revision:    ${s.revision ?? '-'}`,
    `URL:         ${s.url ?? '-'}`,
    `State:       ${stateOf(app)}`,
    ...(s.artifactDelivery
      ? [
          `Artifacts:   delivered as ${s.artifactDelivery === 'imageVolume' ? 'image volumes' : 'init-container copies'}`,
        ]
      : []),
    ...(s.rollout
      ? [
          `Rollout:     revision ${s.rollout.revision} (from ${s.rollout.from}): ${s.rollout.phase}${s.rollout.message ? ` — ${s.rollout.message}` : ''}`,
        ]
      : []),
    '',
  ];
  const comps = app.spec.components.map((c) => {
    const st = s.components?.find((x) => x.name === c.name);
    const pins = (s.images ?? []).filter((p) => p.component === c.name);
    const images = pins.length
      ? pins.map(imageLine).join(', ')
      : [c.runtime.image, ...(c.artifacts ?? []).map((a) => a.image)].join(', ');
    return [
      c.name,
      `${st?.readyReplicas ?? 0}/${c.replicas ?? 1}`,
      String(st?.updatedReplicas ?? 0),
      st?.url ?? '-',
      images,
    ];
  });
  const conds = (s.conditions ?? []).map((c) => [
    c.type,
    c.status,
    c.reason ?? '',
    age(c.lastTransitionTime as unknown as string, now),
    c.message ?? '',
  ]);
  return `${lines.join('\n')}\nComponents:\n${renderTable(['COMPONENT', 'READY', 'UPDATED', 'URL', 'IMAGES'], comps)}\nConditions:\n${renderTable(['TYPE', 'STATUS', 'REASON', 'AGE', 'MESSAGE'], conds)}`;
}

/** Revisions, oldest first; the current one marked with `*`. */
export function renderHistory(revisions: readonly ApplicationRevision[], current: number | undefined): string {
  const rows = [...revisions]
    .sort((a, b) => a.spec.revision - b.spec.revision)
    .map((r) => {
      const images = (r.status?.images?.length ? r.status.images : r.spec.images)
        .map((p) => `${p.component}/${p.role}=${imageLine(p)}`)
        .join(' ');
      const config =
        [
          ...r.spec.config.map((c) => `${c.configSet}@v${c.version}`),
          ...r.spec.secrets.map((x) => `secret ${x.secret}@${x.hash.slice(0, 8)}`),
        ].join(' ') || '-';
      return [
        `${r.spec.revision === current ? '*' : ' '}${r.spec.revision}`,
        String(r.metadata?.creationTimestamp ?? ''),
        r.status?.phase ?? 'Pending',
        r.spec.cause,
        config,
        images,
      ];
    });
  return renderTable(['REVISION', 'CREATED', 'PHASE', 'CAUSE', 'CONFIG', 'IMAGES'], rows);
}
