// @wharf/platform-notify: the notification gateway. Alertmanager posts its webhook (payload v4)
// here; groups are delivered to NotificationChannels (platform.wharf.dev/v1alpha1): webhook,
// email, DingTalk, WeCom, Feishu, Slack, with retries, fallback and recorded attempts.
export { startNotifyGateway, type NotifyGateway, type NotifyGatewayOptions } from './gateway.js';
export { notificationChannelCrd, ensureChannelCrd } from './crd.js';
export { dingtalkSign, feishuSign } from './signing.js';
export { renderMessage, renderTitle, truncateBytes, type Message, type RenderOptions } from './template.js';
export { MESSAGE_LIMITS } from './channels/request.js';
export { readHistory, historyConfigMapName, HISTORY_LABEL, type HistoryEntry, type SilenceEntry } from './history.js';
export { testPayload, parsePayload, PayloadError } from './payload.js';
export * from './types.js';
