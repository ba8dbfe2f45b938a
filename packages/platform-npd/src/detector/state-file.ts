// What a detector remembers across restarts, on the node's disk: each monitor's read position and
// when each condition's problem was last seen. Written whole to a temporary file and renamed, so a
// crash leaves the old state or the new one, never half of one.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Cursor } from '../logs/log-line.js';

export interface DetectorState {
  /** By monitor config file. */
  readonly cursors: Readonly<Record<string, Cursor>>;
  /** By condition type: epoch ms of the last problem. */
  readonly lastProblem: Readonly<Record<string, number>>;
}

export const EMPTY_STATE: DetectorState = { cursors: {}, lastProblem: {} };

/** The saved state, or the empty one if there is none (or it is unreadable: start afresh). */
export function readState(path: string): DetectorState {
  try {
    const s = JSON.parse(readFileSync(path, 'utf8')) as Partial<DetectorState>;
    return { cursors: s.cursors ?? {}, lastProblem: s.lastProblem ?? {} };
  } catch {
    return EMPTY_STATE;
  }
}

export function writeState(path: string, state: DetectorState): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(state));
  renameSync(tmp, path);
}
