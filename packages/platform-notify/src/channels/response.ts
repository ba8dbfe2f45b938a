// How each vendor says whether a delivery worked. The robots answer HTTP 200 even when they refuse
// a message, with their own error code in the body (DingTalk and WeCom `errcode`/`errmsg`, Feishu
// `code`/`msg` or the older `StatusCode`/`StatusMessage`); Slack answers `ok` or an error word.
import type { ChannelType } from '../types.js';

export interface Outcome {
  readonly success: boolean;
  readonly httpStatus?: number;
  readonly code?: string;
  readonly message?: string;
}

function parse(body: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(body) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const short = (s: string): string => (s.length > 200 ? `${s.slice(0, 200)}…` : s);

/** Reads an HTTP answer of a channel of this type. */
export function interpretHttp(type: ChannelType, httpStatus: number, body: string): Outcome {
  const ok2xx = httpStatus >= 200 && httpStatus < 300;
  const j = parse(body);
  let code: unknown;
  let message: unknown;
  if (type === 'dingtalk' || type === 'wecom') {
    code = j?.errcode;
    message = j?.errmsg;
  } else if (type === 'feishu') {
    code = j?.code ?? j?.StatusCode;
    message = j?.msg ?? j?.StatusMessage;
  } else if (type === 'slack') {
    if (!ok2xx) return { success: false, httpStatus, code: short(body.trim()), message: short(body.trim()) };
    return { success: true, httpStatus };
  } else {
    return ok2xx ? { success: true, httpStatus } : { success: false, httpStatus, message: short(body.trim()) };
  }
  const vendorOk = code === 0 || code === '0';
  return {
    success: ok2xx && vendorOk,
    httpStatus,
    ...(code !== undefined ? { code: String(code) } : {}),
    ...(message !== undefined
      ? { message: short(String(message)) }
      : !ok2xx || !vendorOk
        ? { message: short(body.trim()) || 'no error code in the answer' }
        : {}),
  };
}
