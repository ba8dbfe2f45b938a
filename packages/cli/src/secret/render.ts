// `wharf secret ls` for people: names, types and keys; values only when revealed.
import { renderTable } from '../kube/output.js';

export interface SecretSummary {
  readonly name: string;
  readonly type: string;
  readonly keys: readonly string[];
  /** Only with --reveal, for a user allowed to get secrets. */
  readonly values?: Readonly<Record<string, string>>;
}

export function renderSecrets(rows: readonly SecretSummary[]): string {
  const table = renderTable(
    ['NAME', 'TYPE', 'KEYS'],
    rows.map((r) => [r.name, r.type, r.keys.join(',') || '-']),
  );
  const revealed = rows
    .filter((r) => r.values)
    .map((r) =>
      Object.entries(r.values ?? {})
        .map(([k, v]) => `${r.name}/${k}=${v}\n`)
        .join(''),
    )
    .join('');
  return revealed ? `${table}\n${revealed}` : table;
}
