// The bodies and URLs each vendor documents, built from one group; and their answers read back.
import { describe, expect, it } from 'vitest';
import { alert, group } from '../fixtures.test-util.js';
import { dingtalkSign, feishuSign } from '../signing.js';
import type { NotificationChannel, NotificationChannelSpec, SecretKeyRef } from '../types.js';
import { buildRequest, ChannelConfigError, type HttpRequest } from './request.js';
import { interpretHttp } from './response.js';

const SECRETS: Record<string, string> = {
  'robot/token': 'tok en',
  'robot/sign': 'SECsecret',
  'robot/url': 'http://127.0.0.1:1/services/T/B/X',
  'mail/password': 'pw',
};
const secret = async (r: SecretKeyRef): Promise<string> => {
  const v = SECRETS[`${r.name}/${r.key}`];
  if (v === undefined) throw new ChannelConfigError(`secret ${r.name} has no key '${r.key}'`);
  return v;
};
const channel = (spec: NotificationChannelSpec): NotificationChannel => ({
  apiVersion: 'platform.wharf.dev/v1alpha1',
  kind: 'NotificationChannel',
  metadata: { name: 'c', namespace: 'ops' },
  spec,
});
const NOW = 1_700_000_000_123;
const g = group([alert('KubePodCrashLooping', 1)]);
const http = async (spec: NotificationChannelSpec): Promise<HttpRequest & { json: Record<string, unknown> }> => {
  const r = await buildRequest(channel(spec), g, secret, NOW);
  if (r.kind !== 'http') throw new Error('expected http');
  return { ...r, json: JSON.parse(r.body) as Record<string, unknown> };
};

describe('channel requests', () => {
  it('DingTalk: markdown body, access_token, timestamp in ms and the URL-encoded sign in the query', async () => {
    const r = await http({
      type: 'dingtalk',
      dingtalk: {
        url: 'http://127.0.0.1:9/robot/send',
        accessTokenSecretRef: { name: 'robot', key: 'token' },
        signSecretRef: { name: 'robot', key: 'sign' },
      },
    });
    const u = new URL(r.url);
    expect(u.searchParams.get('access_token')).toBe('tok en');
    expect(u.searchParams.get('timestamp')).toBe(String(NOW));
    expect(r.url).toContain(`&sign=${dingtalkSign('SECsecret', NOW).sign}`);
    expect(r.json).toMatchObject({
      msgtype: 'markdown',
      markdown: { title: '[FIRING:1] alertname=KubePodCrashLooping' },
    });
  });

  it('WeCom: the key in the query, markdown.content within 4,096 bytes', async () => {
    const big = group(Array.from({ length: 300 }, (_, i) => alert('KubePodCrashLooping', i)));
    const r = await buildRequest(
      channel({
        type: 'wecom',
        wecom: { url: 'http://127.0.0.1:9/cgi-bin/webhook/send', keySecretRef: { name: 'robot', key: 'token' } },
      }),
      big,
      secret,
      NOW,
    );
    if (r.kind !== 'http') throw new Error('expected http');
    expect(new URL(r.url).searchParams.get('key')).toBe('tok en');
    const content = (JSON.parse(r.body) as { markdown: { content: string } }).markdown.content;
    expect(Buffer.byteLength(content)).toBeLessThanOrEqual(4096);
    expect(content).toContain('more alert(s) not shown');
  });

  it('Feishu: token in the path, timestamp in seconds and its own sign in the body', async () => {
    const r = await http({
      type: 'feishu',
      locale: 'zh-CN',
      feishu: {
        url: 'http://127.0.0.1:9/open-apis/bot/v2/hook',
        tokenSecretRef: { name: 'robot', key: 'token' },
        signSecretRef: { name: 'robot', key: 'sign' },
      },
    });
    expect(r.url).toBe('http://127.0.0.1:9/open-apis/bot/v2/hook/tok%20en');
    expect(r.json).toMatchObject({ ...feishuSign('SECsecret', 1_700_000_000), msg_type: 'text' });
    expect((r.json.content as { text: string }).text).toContain('【告警:1】');
  });

  it('Slack and the generic webhook: Slack text, and the Alertmanager payload unchanged plus the message', async () => {
    const s = await http({ type: 'slack', slack: { urlSecretRef: { name: 'robot', key: 'url' } } });
    expect(s.url).toBe(SECRETS['robot/url']);
    expect(s.json.text).toContain('*KubePodCrashLooping*');
    const w = await http({
      type: 'webhook',
      webhook: { url: 'http://127.0.0.1:9/hook', bearerTokenSecretRef: { name: 'robot', key: 'token' } },
    });
    expect(w.headers.authorization).toBe('Bearer tok en');
    expect(w.json).toMatchObject({
      version: '4',
      groupKey: g.groupKey,
      alerts: g.alerts,
      wharf: { title: '[FIRING:1] alertname=KubePodCrashLooping' },
    });
  });

  it('email: host and port from the smarthost, the password from its Secret, the title as subject', async () => {
    const r = await buildRequest(
      channel({
        type: 'email',
        email: {
          smarthost: '127.0.0.1:2525',
          from: 'wharf@example.com',
          to: ['ops@example.com'],
          username: 'wharf',
          passwordSecretRef: { name: 'mail', key: 'password' },
        },
      }),
      g,
      secret,
      NOW,
    );
    expect(r).toMatchObject({
      kind: 'smtp',
      host: '127.0.0.1',
      port: 2525,
      auth: { user: 'wharf', pass: 'pw' },
      subject: '[FIRING:1] alertname=KubePodCrashLooping',
    });
  });

  it('names the missing field or secret key', async () => {
    await expect(buildRequest(channel({ type: 'wecom' }), g, secret, NOW)).rejects.toThrow('spec.wecom must be set');
    await expect(
      buildRequest(channel({ type: 'email', email: { smarthost: 'nohost', from: 'a', to: ['b'] } }), g, secret, NOW),
    ).rejects.toThrow("spec.email.smarthost must be host:port, got 'nohost'");
    await expect(
      buildRequest(channel({ type: 'wecom', wecom: { keySecretRef: { name: 'robot', key: 'nope' } } }), g, secret, NOW),
    ).rejects.toThrow("has no key 'nope'");
  });
});

describe('channel answers', () => {
  it('reads the vendors’ own error codes even under HTTP 200', () => {
    expect(interpretHttp('dingtalk', 200, '{"errcode":0,"errmsg":"ok"}')).toEqual({
      success: true,
      httpStatus: 200,
      code: '0',
      message: 'ok',
    });
    expect(interpretHttp('dingtalk', 200, '{"errcode":310000,"errmsg":"sign not match"}')).toEqual({
      success: false,
      httpStatus: 200,
      code: '310000',
      message: 'sign not match',
    });
    expect(interpretHttp('wecom', 200, '{"errcode":93000,"errmsg":"invalid webhook url"}')).toMatchObject({
      success: false,
      code: '93000',
    });
    expect(
      interpretHttp(
        'feishu',
        200,
        '{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}',
      ),
    ).toMatchObject({ success: false, code: '19021' });
    expect(interpretHttp('feishu', 200, '{"StatusCode":0,"StatusMessage":"success"}')).toMatchObject({
      success: true,
      code: '0',
    });
  });

  it('reads Slack and webhook answers by HTTP status', () => {
    expect(interpretHttp('slack', 200, 'ok')).toEqual({ success: true, httpStatus: 200 });
    expect(interpretHttp('slack', 400, 'invalid_payload')).toMatchObject({ success: false, code: 'invalid_payload' });
    expect(interpretHttp('webhook', 503, 'busy')).toEqual({ success: false, httpStatus: 503, message: 'busy' });
    expect(interpretHttp('dingtalk', 502, '<html>bad gateway</html>')).toMatchObject({
      success: false,
      httpStatus: 502,
    });
  });
});
