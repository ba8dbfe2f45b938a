import { describe, expect, it } from 'vitest';
import { alert, group } from './fixtures.test-util.js';
import { renderMessage, truncateBytes } from './template.js';

describe('messages', () => {
  it('renders a firing group in English markdown: count, group labels, one line per alert', () => {
    const m = renderMessage(group([alert('KubePodCrashLooping', 1), alert('KubePodCrashLooping', 2)]), {
      locale: 'en',
      markup: 'markdown',
      maxBytes: 10_000,
    });
    expect(m.title).toBe('[FIRING:2] alertname=KubePodCrashLooping');
    expect(m.text).toContain('### [FIRING:2]');
    expect(m.text).toContain('#### Firing');
    expect(m.text).toContain(
      '- **KubePodCrashLooping** (pod=web-1): Pod shop/web-1 is crash looping — since 2026-12-05T10:00:00Z',
    );
    expect(m.text).not.toContain('Resolved');
    expect(m.omitted).toBe(0);
  });

  it('renders resolved alerts in Chinese, separately from those still firing', () => {
    const m = renderMessage(group([alert('KubePodCrashLooping', 1), alert('KubePodCrashLooping', 2, 'resolved')]), {
      locale: 'zh-CN',
      markup: 'text',
      maxBytes: 10_000,
    });
    expect(m.title).toBe('【告警:1】 alertname=KubePodCrashLooping');
    expect(m.text).toContain('触发中:');
    expect(m.text).toContain('已恢复:');
    expect(m.text).toContain('恢复于 2026-12-05T10:05:00Z');
    const all = renderMessage(group([alert('KubePodCrashLooping', 2, 'resolved')]), {
      locale: 'zh-CN',
      markup: 'text',
      maxBytes: 10_000,
    });
    expect(all.title).toBe('【已恢复】 alertname=KubePodCrashLooping');
  });

  it('keeps a large group within the byte limit, whole lines only, and says how many it left out', () => {
    const alerts = Array.from({ length: 200 }, (_, i) => alert('KubePodCrashLooping', i));
    for (const [locale, more] of [
      ['en', /… and (\d+) more alert\(s\) not shown/],
      ['zh-CN', /…… 另有 (\d+) 条告警未显示/],
    ] as const) {
      const m = renderMessage(group(alerts), { locale, markup: 'markdown', maxBytes: 4_000 });
      expect(Buffer.byteLength(m.text)).toBeLessThanOrEqual(4_000);
      const shown = m.text.split('\n').filter((l) => l.startsWith('- ')).length;
      expect(shown).toBeGreaterThan(10);
      expect(Number(more.exec(m.text)?.[1])).toBe(200 - shown);
      expect(m.omitted).toBe(200 - shown);
      expect(m.text.endsWith('Alertmanager: http://alertmanager:9093')).toBe(true);
    }
  });

  it('counts alerts Alertmanager itself truncated (max_alerts) among those not shown', () => {
    const m = renderMessage(
      { ...group([alert('X', 1)]), truncatedAlerts: 7 },
      { locale: 'en', markup: 'text', maxBytes: 10_000 },
    );
    expect(m.text).toContain('… and 7 more alert(s) not shown');
  });

  it('cuts text on character boundaries, never inside a multi-byte character', () => {
    const s = '告警'.repeat(100);
    const t = truncateBytes(s, 50);
    expect(Buffer.byteLength(t)).toBeLessThanOrEqual(50);
    expect(t.endsWith('…')).toBe(true);
    expect(t).not.toContain('\uFFFD');
    expect(truncateBytes('short', 50)).toBe('short');
  });
});
