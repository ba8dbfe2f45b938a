// Step logs on disk, one directory per TaskRun: `<dir>/<namespace>/<taskrun>/` holds meta.json
// (which run, pipeline and task it belongs to; each step's file and whether it is complete) and
// one file per step attempt. Files, not API objects: logs are large and append-heavy, a poor fit
// for objects of at most ~1.5 MB in the API server's store; the directory lives in Wharf's data
// dir, so it outlives pods and restarts.
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

export interface ArchivedStep {
  /** Tekton's step name. */
  readonly step: string;
  readonly pod: string;
  readonly container: string;
  /** Attempt number: 0, then 1.. for retries. */
  readonly attempt: number;
  complete: boolean;
}

export interface ArchiveMeta {
  readonly namespace: string;
  readonly taskRun: string;
  readonly pipelineRun?: string;
  readonly pipeline?: string;
  readonly pipelineTask?: string;
  readonly task?: string;
  /** When the first step log was archived (ISO 8601). */
  readonly created: string;
  steps: ArchivedStep[];
}

const SAFE = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export class LogArchive {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  private runDir(ns: string, taskRun: string): string {
    // Names come from the API (DNS labels), but the files are ours to guard.
    if (!SAFE.test(ns) || !SAFE.test(taskRun)) throw new Error(`invalid archive name ${ns}/${taskRun}`);
    return join(this.dir, ns, taskRun);
  }

  private stepFile(ns: string, taskRun: string, s: Pick<ArchivedStep, 'pod' | 'container'>): string {
    return join(this.runDir(ns, taskRun), `${s.pod}--${s.container}.log`);
  }

  meta(ns: string, taskRun: string): ArchiveMeta | undefined {
    try {
      return JSON.parse(readFileSync(join(this.runDir(ns, taskRun), 'meta.json'), 'utf8')) as ArchiveMeta;
    } catch {
      return undefined;
    }
  }

  private saveMeta(m: ArchiveMeta): void {
    const file = join(this.runDir(m.namespace, m.taskRun), 'meta.json');
    writeFileSync(`${file}.tmp`, JSON.stringify(m));
    renameSync(`${file}.tmp`, file);
  }

  /** Starts (or restarts, truncating) the file of one step attempt. */
  open(base: Omit<ArchiveMeta, 'steps'>, step: ArchivedStep): void {
    mkdirSync(this.runDir(base.namespace, base.taskRun), { recursive: true, mode: 0o700 });
    const m = this.meta(base.namespace, base.taskRun) ?? { ...base, steps: [] };
    m.steps = [
      ...m.steps.filter((s) => !(s.pod === step.pod && s.container === step.container)),
      { ...step, complete: false },
    ];
    m.steps.sort((a, b) => a.attempt - b.attempt);
    writeFileSync(this.stepFile(base.namespace, base.taskRun, step), '');
    this.saveMeta(m);
  }

  append(ns: string, taskRun: string, step: Pick<ArchivedStep, 'pod' | 'container'>, text: string): void {
    if (text) appendFileSync(this.stepFile(ns, taskRun, step), text);
  }

  complete(ns: string, taskRun: string, step: Pick<ArchivedStep, 'pod' | 'container'>): void {
    const m = this.meta(ns, taskRun);
    const s = m?.steps.find((x) => x.pod === step.pod && x.container === step.container);
    if (!m || !s) return;
    s.complete = true;
    this.saveMeta(m);
  }

  isComplete(ns: string, taskRun: string, step: Pick<ArchivedStep, 'pod' | 'container'>): boolean {
    return (
      this.meta(ns, taskRun)?.steps.some((s) => s.pod === step.pod && s.container === step.container && s.complete) ??
      false
    );
  }

  /** The step's text from byte `offset` on, and the file's size. */
  read(
    ns: string,
    taskRun: string,
    step: Pick<ArchivedStep, 'pod' | 'container'>,
    offset = 0,
  ): { text: string; size: number } {
    const file = this.stepFile(ns, taskRun, step);
    if (!existsSync(file)) return { text: '', size: 0 };
    const size = statSync(file).size;
    if (offset >= size) return { text: '', size };
    return { text: readFileSync(file).subarray(offset).toString('utf8'), size };
  }

  /** Every archived TaskRun of a namespace (or all namespaces). */
  list(namespace?: string): ArchiveMeta[] {
    const namespaces = namespace ? [namespace] : existsSync(this.dir) ? readdirSync(this.dir) : [];
    return namespaces.flatMap((ns) => {
      const d = join(this.dir, ns);
      if (!SAFE.test(ns) || !existsSync(d)) return [];
      return readdirSync(d)
        .map((tr) => (SAFE.test(tr) ? this.meta(ns, tr) : undefined))
        .filter((m): m is ArchiveMeta => m !== undefined);
    });
  }

  remove(ns: string, taskRun: string): void {
    rmSync(this.runDir(ns, taskRun), { recursive: true, force: true });
  }
}
