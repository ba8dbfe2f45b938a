// The service dataplane: Services and EndpointSlices programmed into iptables (README.md here).
export {
  ServiceProxy,
  proxyPrefix,
  DEFAULT_SERVICE_CIDR,
  ProxyUnavailableError,
  type ServiceProxyOptions,
  type ProxyClock,
} from './service-proxy.js';
export { cleanup as cleanupServiceRules, iptablesBackend, type IptablesBackend } from './iptables.js';
export {
  servicePorts,
  type ServicePort,
  type Endpoint,
  type ServiceObject,
  type EndpointSliceObject,
} from './model.js';
export {
  buildRuleSet,
  restoreText,
  cleanupText,
  InvalidPrefixError,
  MAX_PREFIX_LENGTH,
  type RuleSet,
  type RuleSetInput,
} from './rules.js';
