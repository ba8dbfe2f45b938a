// Reads archived step logs as one text, in order, optionally following: each step from where the
// reader got to, waiting on a step until its archive is complete, and ending once the run is over
// and every step read. Lines carry a `[task:step] ` prefix when several steps are shown.
import type { ArchiveMeta, ArchivedStep, LogArchive } from './archive.js';

export interface StreamSource {
  /** The TaskRuns to show, oldest first (re-read while following: a PipelineRun gains TaskRuns). */
  readonly taskRuns: () => ArchiveMeta[];
  /** Whether the run is over (no more steps will come). */
  readonly over: () => boolean;
  /** Prefix lines with `[task:step] ` (`[step] ` for one TaskRun). @default true */
  readonly prefix: 'task' | 'step' | 'none';
  readonly step?: string;
}

export interface StreamSink {
  write(text: string): void;
  readonly closed: () => boolean;
}

/** Prefixes each line start with `label`, across chunk boundaries. */
class LinePrefix {
  private atStart = true;
  constructor(private readonly label: string) {}
  apply(text: string): string {
    if (!this.label || !text) return text;
    let out = '';
    for (const ch of text.split(/(?<=\n)/)) {
      out += (this.atStart ? this.label : '') + ch;
      this.atStart = ch.endsWith('\n');
    }
    return out;
  }
}

const POLL_MS = 300;
/** A run over but with a step never completed (its pod vanished mid-archive): stop waiting after this. */
const STALL_MS = 10_000;

export async function streamLogs(
  archive: LogArchive,
  src: StreamSource,
  sink: StreamSink,
  follow: boolean,
): Promise<void> {
  const offsets = new Map<string, number>();
  const prefixes = new Map<string, LinePrefix>();
  const finished = new Set<string>();
  let lastProgress = Date.now();
  for (;;) {
    let waiting = false;
    const metas = src.taskRuns();
    outer: for (const m of metas) {
      for (const s of m.steps as ArchivedStep[]) {
        if (src.step && s.step !== src.step) continue;
        const key = `${m.taskRun}/${s.pod}/${s.container}`;
        if (finished.has(key)) continue;
        const { text, size } = archive.read(m.namespace, m.taskRun, s, offsets.get(key) ?? 0);
        if (text) {
          let p = prefixes.get(key);
          if (!p) {
            const retry = s.attempt ? ` (retry ${s.attempt})` : '';
            p = new LinePrefix(
              src.prefix === 'none'
                ? ''
                : src.prefix === 'task'
                  ? `[${m.pipelineTask ?? m.taskRun}:${s.step}${retry}] `
                  : `[${s.step}${retry}] `,
            );
            prefixes.set(key, p);
          }
          sink.write(p.apply(text));
          offsets.set(key, size);
          lastProgress = Date.now();
        }
        if (s.complete && (offsets.get(key) ?? 0) >= size) {
          finished.add(key);
          continue;
        }
        waiting = true;
        // Following: one step at a time, so steps never interleave.
        if (follow) break outer;
      }
    }
    if (!follow || sink.closed()) return;
    if (!waiting && src.over()) return;
    if (waiting && src.over() && Date.now() - lastProgress > STALL_MS) return;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
