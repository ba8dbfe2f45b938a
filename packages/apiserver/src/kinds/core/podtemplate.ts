// core/v1 PodTemplate: a stored pod template, checked like a pod's spec.
import { isRecord } from '@wharf/api';
import { defaultPodTemplate } from '../../defaults/core.js';
import { podTemplatePrinter } from '../../tables/core.js';
import { FieldPath } from '../../validation/issues.js';
import { validatePodSpec } from '../pod/validation.js';
import type { KindStrategy } from '../strategy.js';

export const podTemplateStrategy: KindStrategy = {
  group: '',
  kind: 'PodTemplate',
  resource: 'podtemplates',
  defaults: defaultPodTemplate,
  validate: (o) =>
    validatePodSpec(isRecord(o.template) ? o.template.spec : undefined, FieldPath.root('template').child('spec')),
  printer: podTemplatePrinter,
};
