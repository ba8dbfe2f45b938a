// Messages from an Alertmanager group: one message per group, as Alertmanager grouped it, with the
// firing alerts first and the resolved ones after, in the channel's locale (en, zh-CN) and markup
// (markdown for DingTalk/WeCom, Slack's mrkdwn, plain text elsewhere). A message longer than the
// channel allows keeps whole alert lines and says how many it left out, so it stays readable.
import type { AmAlert, AmWebhookPayload, Locale } from './types.js';

export type Markup = 'markdown' | 'mrkdwn' | 'text';

export interface RenderOptions {
  readonly locale: Locale;
  readonly markup: Markup;
  /** Upper bound on the UTF-8 bytes of `text`. */
  readonly maxBytes: number;
}

export interface Message {
  readonly title: string;
  readonly text: string;
  /** Alerts left out of `text` for size (plus those Alertmanager itself truncated). */
  readonly omitted: number;
}

interface Strings {
  firing: (n: number) => string;
  resolved: string;
  firingSection: string;
  resolvedSection: string;
  since: string;
  resolvedAt: string;
  more: (n: number) => string;
  source: string;
}

const STRINGS: Record<Locale, Strings> = {
  en: {
    firing: (n) => `[FIRING:${n}]`,
    resolved: '[RESOLVED]',
    firingSection: 'Firing',
    resolvedSection: 'Resolved',
    since: 'since',
    resolvedAt: 'resolved at',
    more: (n) => `… and ${n} more alert(s) not shown`,
    source: 'Alertmanager',
  },
  'zh-CN': {
    firing: (n) => `【告警:${n}】`,
    resolved: '【已恢复】',
    firingSection: '触发中',
    resolvedSection: '已恢复',
    since: '开始于',
    resolvedAt: '恢复于',
    more: (n) => `…… 另有 ${n} 条告警未显示`,
    source: 'Alertmanager',
  },
};

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/** Cuts `s` to at most `max` UTF-8 bytes without splitting a character. */
export function truncateBytes(s: string, max: number, ellipsis = '…'): string {
  if (bytes(s) <= max) return s;
  const room = max - bytes(ellipsis);
  if (room <= 0) return '';
  let out = '';
  let used = 0;
  for (const ch of s) {
    const b = bytes(ch);
    if (used + b > room) break;
    out += ch;
    used += b;
  }
  return out + ellipsis;
}

const labelText = (labels: Readonly<Record<string, string>>): string =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');

/** Labels of an alert beyond those the whole group shares: what tells its alerts apart. */
const ownLabels = (a: AmAlert, common: Readonly<Record<string, string>>): Record<string, string> =>
  Object.fromEntries(Object.entries(a.labels).filter(([k, v]) => k !== 'alertname' && common[k] !== v));

function alertLine(a: AmAlert, p: AmWebhookPayload, s: Strings, markup: Markup): string {
  const name = a.labels.alertname ?? '';
  const summary = a.annotations.summary ?? a.annotations.message ?? a.annotations.description ?? '';
  const own = labelText(ownLabels(a, p.commonLabels));
  const when = a.status === 'resolved' ? `${s.resolvedAt} ${a.endsAt}` : `${s.since} ${a.startsAt}`;
  const strong = markup === 'markdown' ? `**${name}**` : markup === 'mrkdwn' ? `*${name}*` : name;
  return `- ${strong}${own ? ` (${own})` : ''}${summary ? `: ${summary}` : ''} — ${when}`;
}

/** The title alone: status, count and the group's labels (Alertmanager's default subject, in the locale). */
export function renderTitle(p: AmWebhookPayload, locale: Locale): string {
  const s = STRINGS[locale];
  const firing = p.alerts.filter((a) => a.status === 'firing').length;
  const head = p.status === 'firing' ? s.firing(firing) : s.resolved;
  const group = labelText(p.groupLabels) || p.commonLabels.alertname || p.receiver;
  return `${head} ${group}`;
}

export function renderMessage(p: AmWebhookPayload, opts: RenderOptions): Message {
  const s = STRINGS[opts.locale];
  const title = renderTitle(p, opts.locale);
  const heading = opts.markup === 'markdown' ? `### ${title}` : opts.markup === 'mrkdwn' ? `*${title}*` : title;
  const common = labelText(p.commonLabels);
  const summary = p.commonAnnotations.summary;
  const header = [heading, ...(summary ? [summary] : []), ...(common ? [common] : [])];
  const sections: { name: string; alerts: AmAlert[] }[] = [
    { name: s.firingSection, alerts: p.alerts.filter((a) => a.status === 'firing') },
    { name: s.resolvedSection, alerts: p.alerts.filter((a) => a.status === 'resolved') },
  ];
  const footer = p.externalURL ? `${s.source}: ${p.externalURL}` : '';
  const alreadyTruncated = p.truncatedAlerts ?? 0;

  // Fill line by line; each step keeps room for the "N more" line so the result never overflows.
  const total = p.alerts.length;
  const reserve = bytes(`\n${s.more(total + alreadyTruncated)}`) + (footer ? bytes(`\n${footer}`) : 0);
  const lines: string[] = [];
  let used = 0;
  const fits = (line: string): boolean => used + bytes(line) + 1 + reserve <= opts.maxBytes;
  for (const h of header) {
    const line = truncateBytes(h, Math.max(0, opts.maxBytes - reserve - used - 1));
    lines.push(line);
    used += bytes(line) + 1;
  }
  let shown = 0;
  outer: for (const sec of sections) {
    if (sec.alerts.length === 0) continue;
    const name =
      opts.markup === 'markdown' ? `#### ${sec.name}` : opts.markup === 'mrkdwn' ? `*${sec.name}*` : `${sec.name}:`;
    if (!fits(name)) break;
    lines.push('', name);
    used += bytes(name) + 2;
    for (const a of sec.alerts) {
      const line = alertLine(a, p, s, opts.markup);
      if (!fits(line)) break outer;
      lines.push(line);
      used += bytes(line) + 1;
      shown += 1;
    }
  }
  const omitted = total - shown + alreadyTruncated;
  if (omitted > 0) lines.push(s.more(omitted));
  if (footer) lines.push(footer);
  return { title, text: truncateBytes(lines.join('\n'), opts.maxBytes), omitted };
}
