// The delivery controller's runner: informers on the triggered PipelineRuns, the Applications and
// their revisions (no polling), a work queue of runs, and the API calls that carry out
// reconcileDelivery's actions. A change of an Application or a revision re-queues the runs still
// deploying to that Application.
import {
  type EventRecorder,
  type Informer,
  type InformerFactory,
  keyOf,
  QueueController,
  type ControllerContext,
} from '@wharf/client';
import { ANNOTATION, GROUP, LABEL_REPOSITORY, VERSION } from '../types.js';
import { reconcileDelivery, type DeliveryAction } from './reconcile.js';
import {
  APPLICATIONS,
  appPath,
  LABEL_APPLICATION,
  REVISIONS,
  runPath,
  type ApplicationView,
  type RevisionView,
  type RunView,
} from './types.js';

export interface DeliveryControllerOptions extends ControllerContext {
  readonly events: EventRecorder;
  /** Informer on the PipelineRuns a Repository triggered (label platform.wharf.dev/repository). */
  readonly runs: Informer<RunView>;
  readonly informers: InformerFactory;
}

/** Index of runs by the Application they are deploying to (`NAMESPACE/APP`). */
const DEPLOYING = 'deploying-to';

export class DeliveryController extends QueueController {
  private readonly apps: Informer<ApplicationView>;
  private readonly revisions: Informer<RevisionView>;

  constructor(private readonly o: DeliveryControllerOptions) {
    super(o, 'delivery', 2);
    this.apps = o.informers.for<ApplicationView>(APPLICATIONS);
    this.revisions = o.informers.for<RevisionView>(REVISIONS);
    o.runs.addIndexer(DEPLOYING, (r) => {
      const to = r.metadata?.annotations?.[ANNOTATION.deployedTo];
      return to && r.metadata?.annotations?.[ANNOTATION.deployState] === 'Deploying'
        ? [`${r.metadata?.namespace}/${to.split('/')[0]}`]
        : [];
    });
    o.runs.on((_t, r) => this.queue.add(keyOf(r)));
    const requeue = (key: string): void => o.runs.byIndex(DEPLOYING, key).forEach((r) => this.queue.add(keyOf(r)));
    this.revisions.on((_t, r) =>
      requeue(`${r.metadata?.namespace}/${r.metadata?.labels?.[LABEL_APPLICATION] ?? r.spec.application}`),
    );
    this.apps.on((t, a) => {
      requeue(keyOf(a));
      if (t === 'delete') return;
      // A source named (or changed): the repository's runs not yet handled are looked at again.
      for (const c of a.spec.components ?? []) {
        if (!c.source?.repository) continue;
        for (const r of o.runs.list(a.metadata?.namespace))
          if (
            r.metadata?.labels?.[LABEL_REPOSITORY] === c.source.repository &&
            !r.metadata?.annotations?.[ANNOTATION.deployState]
          )
            this.queue.add(keyOf(r));
      }
    });
  }

  protected async sync(key: string): Promise<void> {
    const run = this.o.runs.getByKey(key);
    if (!run || !this.apps.hasSynced || !this.revisions.hasSynced) return;
    const ns = run.metadata?.namespace ?? '';
    const actions = reconcileDelivery(run, { apps: this.apps.list(ns), revisions: this.revisions.list(ns) });
    for (const a of actions) await this.apply(run, a);
  }

  private async apply(run: RunView, a: DeliveryAction): Promise<void> {
    const ns = run.metadata?.namespace ?? '';
    const name = run.metadata?.name ?? '';
    if (a.type === 'deploy') {
      await this.o.client.patch(appPath(ns, a.app), {
        metadata: { resourceVersion: a.resourceVersion, annotations: a.appAnnotations },
        spec: { components: a.components },
      });
      this.o.logger.info(
        { pipelineRun: `${ns}/${name}`, application: `${ns}/${a.app}` },
        'build deployed to its application',
      );
      return;
    }
    await this.o.client.patch(runPath(ns, name), { metadata: { annotations: a.annotations } });
    const app = a.app ? this.apps.get(ns, a.app) : undefined;
    // Listed objects may lack apiVersion/kind: the event names them itself.
    const about = {
      run: { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: run.metadata },
      app: app && { apiVersion: `${GROUP}/${VERSION}`, kind: 'Application', metadata: app.metadata },
    };
    for (const e of a.events) {
      const target = about[e.on];
      if (target) this.o.events.emit(target, e.type, e.reason, e.message);
    }
  }
}
