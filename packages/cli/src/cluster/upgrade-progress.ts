// The record of a running upgrade (DIR/<name>/upgrade.json): its steps and those finished, written
// after every step (to a temporary file, then renamed), so an upgrade killed at any point — even
// with kill -9 — resumes at the first step not recorded as done.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stateDir, type StateOptions } from './lifecycle.js';

export interface Progress {
  readonly from: string;
  readonly to: string;
  readonly steps: readonly string[];
  /** Finished steps with when and what they did. */
  readonly done: { readonly step: string; readonly at: string; readonly detail: string }[];
  /** The snapshot the snapshot step took: what a failed control-plane validation restores. */
  snapshot?: string;
  /**
   * When the control-plane step's old `wharf up` was gone: a node's Lease renewed after it reached the
   * restarted control plane (ISO time).
   */
  upStoppedAt?: string;
}

const path = (o: StateOptions, name: string): string => join(stateDir(o), name, 'upgrade.json');

export function readProgress(o: StateOptions, name: string): Progress | undefined {
  try {
    return JSON.parse(readFileSync(path(o, name), 'utf8')) as Progress;
  } catch {
    return undefined;
  }
}

export function writeProgress(o: StateOptions, name: string, p: Progress): void {
  const file = path(o, name);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(p, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

/** The steps still to run. */
export const remaining = (p: Progress): string[] => p.steps.filter((s) => !p.done.some((d) => d.step === s));

/** An upgrade is unfinished while a step is left. */
export const unfinished = (p: Progress | undefined): p is Progress => p !== undefined && remaining(p).length > 0;
