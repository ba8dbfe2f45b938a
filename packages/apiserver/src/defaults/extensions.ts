// Defaults of the API-extension kinds: CustomResourceDefinition (names.singular, names.listKind,
// conversion strategy None) and admission webhook configurations. CRD status (acceptedNames,
// conditions, storedVersions) is the CRD registry's job, not defaulting.
import { ensureRec, rec, recs, setDefault, setDefaultIfZero, type Obj } from './util.js';

function defaultServiceReference(clientConfig: Obj | undefined): void {
  const service = clientConfig ? rec(clientConfig, 'service') : undefined;
  if (service) setDefault(service, 'port', 443);
}

export function defaultCustomResourceDefinition(crd: Obj): void {
  const spec = ensureRec(crd, 'spec');
  if (!spec) return;
  const names = ensureRec(spec, 'names');
  if (names) {
    const kind = typeof names.kind === 'string' ? names.kind : '';
    setDefaultIfZero(names, 'singular', kind.toLowerCase());
    if (kind !== '') setDefaultIfZero(names, 'listKind', `${kind}List`);
  }
  const conversion = ensureRec(spec, 'conversion');
  if (!conversion) return;
  setDefaultIfZero(conversion, 'strategy', 'None');
  if (conversion.strategy === 'Webhook') {
    const webhook = rec(conversion, 'webhook');
    if (webhook) defaultServiceReference(rec(webhook, 'clientConfig'));
  }
}

/** ValidatingWebhookConfiguration / MutatingWebhookConfiguration (admissionregistration/v1). */
export function defaultWebhookConfiguration(config: Obj, mutating: boolean): void {
  for (const hook of recs(config, 'webhooks')) {
    setDefault(hook, 'failurePolicy', 'Fail');
    setDefault(hook, 'matchPolicy', 'Equivalent');
    setDefault(hook, 'namespaceSelector', {});
    setDefault(hook, 'objectSelector', {});
    setDefault(hook, 'timeoutSeconds', 10);
    if (mutating) setDefault(hook, 'reinvocationPolicy', 'Never');
    for (const rule of recs(hook, 'rules')) setDefault(rule, 'scope', '*');
    defaultServiceReference(rec(hook, 'clientConfig'));
  }
}
