import { describe, expect, it } from 'vitest';
import { chooseRuntime } from './runtime-check.js';

describe('--runtime', () => {
  const can = (): undefined => undefined;
  const cannot = (): string => 'not running as root';

  it('auto (the default) picks runc where it can run, else the process runtime with the reason', () => {
    expect(chooseRuntime(undefined, can)).toEqual({ kind: 'runc' });
    expect(chooseRuntime('auto', cannot)).toEqual({
      kind: 'process',
      reason: 'runc runtime unavailable: not running as root',
    });
  });

  it('runc is refused where it cannot run; process is always allowed', () => {
    expect(() => chooseRuntime('runc', cannot)).toThrow('--runtime runc cannot run here: not running as root');
    expect(chooseRuntime('runc', can)).toEqual({ kind: 'runc' });
    expect(chooseRuntime('process', can)).toEqual({ kind: 'process', reason: 'requested with --runtime process' });
  });

  it('names the allowed values for anything else', () => {
    expect(() => chooseRuntime('docker', can)).toThrow('--runtime must be auto, runc or process, got "docker"');
  });
});
