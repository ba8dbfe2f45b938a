// Fixed vectors computed with the vendors' documented Python samples (hmac + base64 +
// urllib.parse.quote_plus for DingTalk; key = timestamp + "\n" + secret over no message for Feishu).
import { describe, expect, it } from 'vitest';
import { dingtalkSign, feishuSign } from './signing.js';

describe('robot signatures', () => {
  it('signs DingTalk requests as its docs do: key secret, message timestamp\\nsecret, URL-encoded', () => {
    expect(dingtalkSign('SECthis-is-a-test-secret', 1_700_000_000_000)).toEqual({
      timestamp: '1700000000000',
      sign: 'IRZT287QybIa2F%2FxrEkTcyuBS3Hp0ycAceupV5IhA5s%3D',
    });
  });

  it('signs Feishu requests as its docs do: key timestamp\\nsecret over an empty message', () => {
    expect(feishuSign('feishu-test-secret', 1_700_000_000)).toEqual({
      timestamp: '1700000000',
      sign: 'e3MJ8Q5llVxGJ8pVkGPBhexDAgjvYqpjPP1GkY9XceI=',
    });
  });

  it('does not give the same signature when the two schemes are swapped', () => {
    const ding = decodeURIComponent(dingtalkSign('s', 1000).sign);
    expect(feishuSign('s', 1000).sign).not.toBe(ding);
  });
});
