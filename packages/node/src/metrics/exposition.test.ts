import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { escapeLabelValue, formatValue, renderExposition, type MetricFamily } from './exposition.js';

describe('Prometheus text exposition', () => {
  it('writes floats as Go strconv.FormatFloat(v, g, -1, 64)', () => {
    const cases: [number, string][] = [
      [0, '0'],
      [1, '1'],
      [-1, '-1'],
      [0.5, '0.5'],
      [42, '42'],
      [123456, '123456'],
      [1234567, '1.234567e+06'],
      [1e6, '1e+06'],
      [2.5165824e7, '2.5165824e+07'],
      [0.0001, '0.0001'],
      [0.00001, '1e-05'],
      [1.5e-10, '1.5e-10'],
      [9223372036854771712, '9.223372036854772e+18'],
      [1e100, '1e+100'],
      [-0.25, '-0.25'],
      [0.678027848, '0.678027848'],
      [NaN, 'NaN'],
      [Infinity, '+Inf'],
      [-Infinity, '-Inf'],
    ];
    for (const [v, text] of cases) expect(formatValue(v), String(v)).toBe(text);
  });

  it('escapes backslash, quote and newline in label values, and backslash and newline in HELP', () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    const text = renderExposition([
      { name: 'm', help: 'line one\nback\\slash', type: 'gauge', samples: [{ labels: { v: 'x"y' }, value: 1 }] },
    ]);
    expect(text).toBe('# HELP m line one\\nback\\\\slash\n# TYPE m gauge\nm{v="x\\"y"} 1\n');
  });

  it('sorts families by name, labels by name and series by label values; leaves out empty families', () => {
    const families: MetricFamily[] = [
      {
        name: 'zeta_total',
        help: 'z',
        type: 'counter',
        samples: [
          { labels: { pod: 'b', container: 'c' }, value: 2, timestampMs: 1700000000123 },
          { labels: { pod: 'a', container: 'c' }, value: 1, timestampMs: 1700000000123 },
        ],
      },
      { name: 'alpha', help: 'a', type: 'gauge', samples: [{ labels: {}, value: 3 }] },
      { name: 'empty', help: 'e', type: 'gauge', samples: [] },
    ];
    expect(renderExposition(families)).toBe(
      [
        '# HELP alpha a',
        '# TYPE alpha gauge',
        'alpha 3',
        '# HELP zeta_total z',
        '# TYPE zeta_total counter',
        'zeta_total{container="c",pod="a"} 1 1700000000123',
        'zeta_total{container="c",pod="b"} 2 1700000000123',
        '',
      ].join('\n'),
    );
    expect(renderExposition([])).toBe('');
  });

  it('refuses invalid metric and label names', () => {
    expect(() =>
      renderExposition([{ name: 'bad-name', help: '', type: 'gauge', samples: [{ labels: {}, value: 1 }] }]),
    ).toThrow('invalid metric name "bad-name"');
    expect(() =>
      renderExposition([{ name: 'm', help: '', type: 'gauge', samples: [{ labels: { 'a-b': '1' }, value: 1 }] }]),
    ).toThrow('invalid label name "a-b" on m');
  });

  // promtool comes with `npm test` (scripts/setup.sh --test); without it this fails, never skips.
  it('is parsed by Prometheus (promtool check metrics)', () => {
    const text = renderExposition([
      {
        name: 'container_cpu_usage_seconds_total',
        help: '[STABLE] Cumulative cpu time',
        type: 'counter',
        samples: [
          { labels: { container: 'c"1\\', pod: 'p\nq', namespace: 'n' }, value: 1234567.891, timestampMs: Date.now() },
        ],
      },
      {
        name: 'node_memory_working_set_bytes',
        help: 'Help with \\ and\nnewline',
        type: 'gauge',
        samples: [
          { labels: {}, value: 2.5e-7 },
          { labels: { a: 'x' }, value: NaN },
        ],
      },
    ]);
    const r = spawnSync('/usr/bin/promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(r.stdout + r.stderr).not.toMatch(/parsing error/);
    expect(r.status).toBe(0);
  });
});
