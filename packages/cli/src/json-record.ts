// The small JSON records `wharf` keeps beside the processes it runs (their pids and ports), read by
// other processes while they change: written whole, read as missing when absent or unreadable.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

/** The record at `path`, or undefined when there is none (or it cannot be read). */
export function readRecordFile<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Writes the record (0600) to a temporary file renamed over `path`: a reader sees the old or the new, whole. */
export function writeRecordFile(path: string, value: unknown): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}
