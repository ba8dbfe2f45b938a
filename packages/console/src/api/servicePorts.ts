// A Service's ports as form rows and back. The whole list is written at once (ports are a list
// keyed by port and protocol: a row's number may change), as `kubectl patch --type=json` replacing
// /spec/ports; nodePort is kept as allocated unless the user changes it.
import type { PatchOp } from './jsonPatch.js';

export interface ServicePort {
  name?: string;
  protocol?: string;
  port: number;
  targetPort?: number | string;
  nodePort?: number;
  [other: string]: unknown;
}

export interface PortRow {
  name: string;
  protocol: string;
  port: number | null;
  /** A number, or the name of a container port; empty: the same as `port`. */
  targetPort: string;
  nodePort: number | null;
  /** Fields the form does not show (appProtocol), written back unchanged. */
  kept: Record<string, unknown>;
}

export function toPortRows(ports: readonly ServicePort[] | undefined): PortRow[] {
  return (ports ?? []).map(({ name, protocol, port, targetPort, nodePort, ...kept }) => ({
    name: name ?? '',
    protocol: protocol ?? 'TCP',
    port,
    targetPort: targetPort === undefined ? '' : String(targetPort),
    nodePort: nodePort ?? null,
    kept,
  }));
}

/** A row as the API takes it; a port left empty is sent as 0 so the API names the field it refuses. */
export function fromPortRow(r: PortRow): ServicePort {
  const target = r.targetPort.trim();
  return {
    ...r.kept,
    ...(r.name.trim() ? { name: r.name.trim() } : {}),
    protocol: r.protocol,
    port: r.port ?? 0,
    ...(target ? { targetPort: /^\d+$/.test(target) ? Number(target) : target } : {}),
    ...(r.nodePort ? { nodePort: r.nodePort } : {}),
  };
}

export function portsPatch(rows: readonly PortRow[]): PatchOp[] {
  return [{ op: 'add', path: '/spec/ports', value: rows.map(fromPortRow) }];
}

export const newPortRow = (): PortRow => ({
  name: '',
  protocol: 'TCP',
  port: null,
  targetPort: '',
  nodePort: null,
  kept: {},
});
