// Runs once around the whole e2e run: the temporary directories the suites create (data dirs of
// `wharf up`, image layouts, scratch dirs) are removed at the end, except any still in use.
import { removeNewTempDirs, wharfTempDirs } from '@wharf/testing';

export default function setup(): () => void {
  const before = new Set(wharfTempDirs());
  return () => {
    const kept = removeNewTempDirs(before);
    if (kept.length) console.warn(`e2e: kept ${kept.length} temporary dir(s) still in use: ${kept.join(', ')}`);
  };
}
