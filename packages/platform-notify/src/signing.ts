// Request signatures of the chat robots. The two vendors differ, and mixing them up gives a
// signature the server rejects:
// - DingTalk (加签): HMAC-SHA256 with KEY = secret over MESSAGE = `${timestampMs}\n${secret}`,
//   base64, then URL-encoded into the `sign` query parameter beside `timestamp` (milliseconds).
// - Feishu/Lark: HMAC-SHA256 with KEY = `${timestampSeconds}\n${secret}` over an EMPTY message,
//   base64, sent as `sign` in the JSON body beside `timestamp` (seconds, as a string).
import { createHmac } from 'node:crypto';

/** DingTalk's `timestamp` and URL-encoded `sign` query parameters for a robot with this secret. */
export function dingtalkSign(secret: string, timestampMs: number): { timestamp: string; sign: string } {
  const timestamp = String(timestampMs);
  const digest = createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest('base64');
  return { timestamp, sign: encodeURIComponent(digest) };
}

/** Feishu's `timestamp` and `sign` body fields for a bot with this secret. */
export function feishuSign(secret: string, timestampSeconds: number): { timestamp: string; sign: string } {
  const timestamp = String(timestampSeconds);
  const sign = createHmac('sha256', `${timestamp}\n${secret}`).update('').digest('base64');
  return { timestamp, sign };
}
