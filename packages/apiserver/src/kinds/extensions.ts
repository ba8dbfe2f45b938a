// The kinds that extend the API: CustomResourceDefinitions (served by objects/crds.ts),
// APIServices (aggregation/) and admission webhooks and policies (webhooks/).
import { defaultCustomResourceDefinition, defaultWebhookConfiguration } from '../defaults/extensions.js';
import {
  admissionPolicyBindingPrinter,
  admissionPolicyPrinter,
  apiServicePrinter,
  webhookConfigurationPrinter,
} from '../tables/cluster.js';
import { validateApiService } from '../validation/apiservice.js';
import {
  validateCustomResourceDefinition,
  validateCustomResourceDefinitionUpdate,
} from '../validation/crd-definition.js';
import {
  expressionCostWarnings,
  validateAdmissionPolicy,
  validateAdmissionPolicyBinding,
  validateWebhookConfiguration,
} from '../validation/webhooks.js';
import type { KindStrategy } from './strategy.js';

const admission = 'admissionregistration.k8s.io';

export const customResourceDefinitionStrategy: KindStrategy = {
  group: 'apiextensions.k8s.io',
  kind: 'CustomResourceDefinition',
  resource: 'customresourcedefinitions',
  defaults: defaultCustomResourceDefinition,
  validate: validateCustomResourceDefinition,
  validateUpdate: validateCustomResourceDefinitionUpdate,
  keepsStatusOnCreate: true,
};

export const apiServiceStrategy: KindStrategy = {
  group: 'apiregistration.k8s.io',
  kind: 'APIService',
  resource: 'apiservices',
  validate: validateApiService,
  // APIServices are named <version>.<group>, so the core group's is "v1.".
  nameRule: 'path',
  printer: apiServicePrinter,
};

export const validatingWebhookConfigurationStrategy: KindStrategy = {
  group: admission,
  kind: 'ValidatingWebhookConfiguration',
  resource: 'validatingwebhookconfigurations',
  defaults: (o) => defaultWebhookConfiguration(o, false),
  validate: (o) => validateWebhookConfiguration(o, false),
  warnings: expressionCostWarnings,
  printer: webhookConfigurationPrinter,
};

export const mutatingWebhookConfigurationStrategy: KindStrategy = {
  group: admission,
  kind: 'MutatingWebhookConfiguration',
  resource: 'mutatingwebhookconfigurations',
  defaults: (o) => defaultWebhookConfiguration(o, true),
  validate: (o) => validateWebhookConfiguration(o, true),
  warnings: expressionCostWarnings,
  printer: webhookConfigurationPrinter,
};

export const validatingAdmissionPolicyStrategy: KindStrategy = {
  group: admission,
  kind: 'ValidatingAdmissionPolicy',
  resource: 'validatingadmissionpolicies',
  validate: validateAdmissionPolicy,
  warnings: expressionCostWarnings,
  printer: admissionPolicyPrinter,
};

export const validatingAdmissionPolicyBindingStrategy: KindStrategy = {
  group: admission,
  kind: 'ValidatingAdmissionPolicyBinding',
  resource: 'validatingadmissionpolicybindings',
  validate: validateAdmissionPolicyBinding,
  printer: admissionPolicyBindingPrinter,
};
