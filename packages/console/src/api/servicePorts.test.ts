import { describe, expect, it } from 'vitest';
import { fromPortRow, portsPatch, toPortRows } from './servicePorts.js';

describe("a Service's ports as form rows", () => {
  it('round-trips, a numeric target port as a number and a named one as its name, keeping fields not shown', () => {
    const ports = [
      { name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, appProtocol: 'http' },
      { name: 'metrics', protocol: 'TCP', port: 9090, targetPort: 'metrics', nodePort: 30090 },
    ];
    expect(toPortRows(ports).map(fromPortRow)).toEqual(ports);
  });

  it('leaves an empty target port and name out, and sends an empty port as 0 for the API to name', () => {
    const [row] = toPortRows([{ port: 80 }]);
    expect(fromPortRow({ ...row!, port: null })).toEqual({ protocol: 'TCP', port: 0 });
    expect(portsPatch([])).toEqual([{ op: 'add', path: '/spec/ports', value: [] }]);
  });
});
