// The shapes the gateway speaks: Alertmanager's webhook payload (version 4, as Alertmanager 0.25
// posts it) and Wharf's NotificationChannel kind (platform.wharf.dev/v1alpha1). Declared once here;
// the CRD schema in crd.ts follows these types.

/** One alert of an Alertmanager webhook notification. */
export interface AmAlert {
  readonly status: 'firing' | 'resolved';
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt: string;
  /** `0001-01-01T00:00:00Z` while firing. */
  readonly endsAt: string;
  readonly generatorURL?: string;
  readonly fingerprint: string;
}

/** The body Alertmanager posts to a webhook_config URL: one aggregation group. */
export interface AmWebhookPayload {
  readonly version: '4';
  readonly groupKey: string;
  readonly truncatedAlerts?: number;
  readonly status: 'firing' | 'resolved';
  readonly receiver: string;
  readonly groupLabels: Readonly<Record<string, string>>;
  readonly commonLabels: Readonly<Record<string, string>>;
  readonly commonAnnotations: Readonly<Record<string, string>>;
  readonly externalURL: string;
  readonly alerts: readonly AmAlert[];
}

/** A key of a Secret in the channel's namespace: robot tokens, signing keys and passwords live only there. */
export interface SecretKeyRef {
  readonly name: string;
  readonly key: string;
}

export type ChannelType = 'webhook' | 'email' | 'dingtalk' | 'wecom' | 'feishu' | 'slack';
export const CHANNEL_TYPES: readonly ChannelType[] = ['webhook', 'email', 'dingtalk', 'wecom', 'feishu', 'slack'];
export type Locale = 'en' | 'zh-CN';

export interface WebhookSpec {
  readonly url: string;
  /** Sent as `Authorization: Bearer <token>`. @default none */
  readonly bearerTokenSecretRef?: SecretKeyRef;
}

export interface EmailSpec {
  /** `host:port` of the SMTP server. */
  readonly smarthost: string;
  readonly from: string;
  readonly to: readonly string[];
  /** @default no authentication */
  readonly username?: string;
  readonly passwordSecretRef?: SecretKeyRef;
  /** Refuse to send without STARTTLS. @default false */
  readonly requireTLS?: boolean;
}

export interface DingTalkSpec {
  /** @default https://oapi.dingtalk.com/robot/send */
  readonly url?: string;
  readonly accessTokenSecretRef: SecretKeyRef;
  /** The robot's 加签 secret (`SEC…`); the request is signed when set. */
  readonly signSecretRef?: SecretKeyRef;
}

export interface WeComSpec {
  /** @default https://qyapi.weixin.qq.com/cgi-bin/webhook/send */
  readonly url?: string;
  readonly keySecretRef: SecretKeyRef;
}

export interface FeishuSpec {
  /** The hook URL without its token. @default https://open.feishu.cn/open-apis/bot/v2/hook/ */
  readonly url?: string;
  readonly tokenSecretRef: SecretKeyRef;
  /** The bot's signature secret; the request is signed when set. */
  readonly signSecretRef?: SecretKeyRef;
}

export interface SlackSpec {
  /** The incoming-webhook URL is itself the credential, so it lives in a Secret. */
  readonly urlSecretRef: SecretKeyRef;
}

export interface RetrySpec {
  /** Attempts per message on this channel before the fallback is used. @default 3 */
  readonly maxAttempts?: number;
  /** Wait before the second attempt; doubled for each further one (capped at 30 s). @default 1000 */
  readonly backoffMs?: number;
}

export interface NotificationChannelSpec {
  readonly type: ChannelType;
  /** @default en */
  readonly locale?: Locale;
  /** Also notify when a group resolves. @default true */
  readonly sendResolved?: boolean;
  /** Another NotificationChannel in the same namespace, used when this one fails all its attempts. */
  readonly fallback?: string;
  readonly retry?: RetrySpec;
  /** Overrides the channel type's message limit (bytes of the rendered text). */
  readonly maxMessageBytes?: number;
  readonly webhook?: WebhookSpec;
  readonly email?: EmailSpec;
  readonly dingtalk?: DingTalkSpec;
  readonly wecom?: WeComSpec;
  readonly feishu?: FeishuSpec;
  readonly slack?: SlackSpec;
}

/** One delivery attempt, as kept in the channel's status. */
export interface DeliveryAttempt {
  readonly time: string;
  readonly groupKey: string;
  readonly status: 'firing' | 'resolved' | 'test';
  readonly attempt: number;
  readonly success: boolean;
  /** The HTTP status, or an SMTP reply code; absent when no answer came. */
  readonly httpStatus?: number;
  /** The channel's own error code (DingTalk/WeCom `errcode`, Feishu `code`, Slack's error text). */
  readonly code?: string;
  readonly message?: string;
  /** Set when this attempt was made as another channel's fallback. */
  readonly fallbackFor?: string;
}

export interface NotificationChannelStatus {
  readonly attempts?: readonly DeliveryAttempt[];
  readonly lastSuccessTime?: string;
  readonly lastFailureTime?: string;
  readonly consecutiveFailures?: number;
}

export interface NotificationChannel {
  readonly apiVersion: 'platform.wharf.dev/v1alpha1';
  readonly kind: 'NotificationChannel';
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly uid?: string;
    readonly resourceVersion?: string;
  };
  readonly spec: NotificationChannelSpec;
  readonly status?: NotificationChannelStatus;
}

export const GROUP = 'platform.wharf.dev';
export const VERSION = 'v1alpha1';
export const CHANNEL_PLURAL = 'notificationchannels';
export const channelPath = (namespace: string, name?: string): string =>
  `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/${CHANNEL_PLURAL}${name ? `/${name}` : ''}`;
