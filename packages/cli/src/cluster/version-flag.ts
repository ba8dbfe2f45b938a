// `wharf up --kubernetes-version`: checked against what the data dir ran (no downgrade, no
// skipped minor) and pinned there, where the API server reads it when it starts.
import { mkdirSync } from 'node:fs';
import { chooseKubernetesVersion, pinKubernetesVersion } from '@wharf/apiserver';
import { CliError } from '../kube/errors.js';

export function pinVersionFlag(dataDir: string, requested: string): void {
  try {
    const v = chooseKubernetesVersion(dataDir, requested);
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    pinKubernetesVersion(dataDir, v);
  } catch (e) {
    throw new CliError(`--kubernetes-version: ${(e as Error).message}`);
  }
}
