import { describe, expect, it } from 'vitest';
import { parseMonitorConfig, type SystemLogMonitorConfig } from '../config/monitor-config.js';
import { KERNEL_MONITOR } from '../config/monitor-config.test.js';
import { parseKmsgRecord } from '../logs/kmsg.js';
import { filelogParser } from '../logs/filelog-format.js';
import { LogMatcher } from './log-matcher.js';

const kernel = parseMonitorConfig(
  JSON.stringify({
    ...KERNEL_MONITOR,
    conditions: [
      { ...KERNEL_MONITOR.conditions[0], recoveryPattern: 'kernel: deadlock cleared' },
      KERNEL_MONITOR.conditions[1],
    ],
    rules: [
      ...KERNEL_MONITOR.rules,
      // A multi-line kernel report: the BUG line, then the call trace naming the culprit.
      {
        type: 'permanent',
        condition: 'KernelDeadlock',
        reason: 'SoftLockupInExt4',
        pattern: 'BUG: soft lockup - CPU#\\d+ stuck for \\d+s!.*\\n(.*\\n)*.*ext4_\\w+.*',
      },
    ],
  }),
  'kernel.json',
) as SystemLogMonitorConfig;

const feed = (m: LogMatcher, ...lines: string[]) => lines.flatMap((message, i) => m.push({ timeMs: i, message }));

describe('LogMatcher', () => {
  it('turns a hung task into a TaskHung event and a hung docker into KernelDeadlock, with the matched text as message', () => {
    const found = feed(new LogMatcher(kernel), 'INFO: task docker:20744 blocked for more than 120 seconds.');
    expect(found).toEqual([
      {
        kind: 'temporary',
        reason: 'TaskHung',
        message: 'task docker:20744 blocked for more than 120 seconds.',
        timeMs: 0,
      },
      {
        kind: 'permanent',
        condition: 'KernelDeadlock',
        reason: 'DockerHung',
        message: 'task docker:20744 blocked for more than 120 seconds.',
        timeMs: 0,
      },
    ]);
  });

  it('matches a report spanning several lines once, when its last line arrives', () => {
    const m = new LogMatcher(kernel);
    expect(feed(m, 'BUG: soft lockup - CPU#1 stuck for 22s! [kworker/1:2:123]', 'Call Trace:')).toEqual([]);
    const found = feed(m, ' ext4_writepages+0x1f/0x30');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      kind: 'permanent',
      reason: 'SoftLockupInExt4',
      message: 'BUG: soft lockup - CPU#1 stuck for 22s! [kworker/1:2:123]\nCall Trace:\n ext4_writepages+0x1f/0x30',
    });
    expect(feed(m, 'an unrelated line')).toEqual([]);
  });

  it('forgets lines beyond bufferSize', () => {
    const m = new LogMatcher({ ...kernel, bufferSize: 2 });
    expect(
      feed(m, 'BUG: soft lockup - CPU#1 stuck for 22s! [x]', 'Call Trace:', 'a', ' ext4_writepages+0x1f/0x30'),
    ).toEqual([]);
  });

  it('reports the recovery line of a condition', () => {
    expect(feed(new LogMatcher(kernel), 'kernel: deadlock cleared')).toEqual([
      { kind: 'recovered', condition: 'KernelDeadlock', timeMs: 0 },
    ]);
  });
});

describe('log formats', () => {
  it('parses /dev/kmsg records, unescaping \\xNN and dropping the KEY=value lines', () => {
    expect(
      parseKmsgRecord('6,2,5140900,-;task docker:20744 blocked\\x0a for more than 120 seconds.\n SUBSYSTEM=x\n'),
    ).toEqual({ seq: 2, usecSinceBoot: 5140900, message: 'task docker:20744 blocked\n for more than 120 seconds.' });
    expect(parseKmsgRecord('garbage')).toBeUndefined();
  });

  it('splits a kern.log line into time and message as the filelog plugin does', () => {
    const c = parseMonitorConfig(
      JSON.stringify({
        ...KERNEL_MONITOR,
        plugin: 'filelog',
        logPath: '/var/log/kern.log',
        pluginConfig: { timestamp: '^.{15}', message: 'kernel: \\[.*\\] (.*)', timestampFormat: 'Jan _2 15:04:05' },
      }),
      'k.json',
    ) as SystemLogMonitorConfig;
    const line = filelogParser(c)(
      'Dec  5 10:20:01 host kernel: [12345.678] task docker:20744 blocked for more than 120 seconds.',
    );
    expect(line?.message).toBe('task docker:20744 blocked for more than 120 seconds.');
    expect(new Date(line!.timeMs).getDate()).toBe(5);
    expect(filelogParser(c)('Dec  5 10:20:01 host sshd[1]: accepted')).toBeUndefined();
  });
});
