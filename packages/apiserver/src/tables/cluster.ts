// Printers for cluster-administration kinds: leases (coordination.k8s.io), role bindings
// (rbac.authorization.k8s.io; roles have no printer and use the default columns), pod disruption
// budgets (policy) and priority classes (scheduling.k8s.io). Follows printers.go (1.32).

import { AGE_COLUMN, NAME_COLUMN, ageOf, col, nameOf, wide } from './columns.js';
import type { Printer, TableColumn } from './columns.js';
import { DESC } from './descriptions.js';
import { arr, get, num, scalarString, str } from './format.js';

export const leasePrinter: Printer = {
  columns: [NAME_COLUMN, col('Holder', 'string', DESC.leaseHolder), AGE_COLUMN],
  cells: (lease, ctx) => [nameOf(lease), str(get(lease, 'spec', 'holderIdentity')), ageOf(lease, ctx)],
};

/** Users, groups and service accounts ("ns/name") of a binding, each joined with ", ". */
export function bindingSubjects(subjects: unknown): [users: string, groups: string, serviceAccounts: string] {
  const users: string[] = [];
  const groups: string[] = [];
  const serviceAccounts: string[] = [];
  for (const s of arr(subjects)) {
    const name = str(get(s, 'name'));
    switch (get(s, 'kind')) {
      case 'ServiceAccount':
        serviceAccounts.push(`${str(get(s, 'namespace'))}/${name}`);
        break;
      case 'User':
        users.push(name);
        break;
      case 'Group':
        groups.push(name);
        break;
    }
  }
  return [users.join(', '), groups.join(', '), serviceAccounts.join(', ')];
}

export function bindingPrinter(noun: string): Printer {
  const columns: TableColumn[] = [
    NAME_COLUMN,
    col('Role', 'string', DESC.roleRef),
    AGE_COLUMN,
    wide('Users', 'string', `Users in the ${noun}`),
    wide('Groups', 'string', `Groups in the ${noun}`),
    wide('ServiceAccounts', 'string', `ServiceAccounts in the ${noun}`),
  ];
  return {
    columns,
    cells(b, ctx) {
      const roleRef = `${str(get(b, 'roleRef', 'kind'))}/${str(get(b, 'roleRef', 'name'))}`;
      return [nameOf(b), roleRef, ageOf(b, ctx), ...bindingSubjects(get(b, 'subjects'))];
    },
  };
}

export const podDisruptionBudgetPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Min Available', 'string', 'The minimum number of pods that must be available.'),
    col('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
    col('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
    AGE_COLUMN,
  ],
  cells: (pdb, ctx) => [
    nameOf(pdb),
    scalarString(get(pdb, 'spec', 'minAvailable'), 'N/A'),
    scalarString(get(pdb, 'spec', 'maxUnavailable'), 'N/A'),
    num(get(pdb, 'status', 'disruptionsAllowed')),
    ageOf(pdb, ctx),
  ],
};

export const priorityClassPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Value', 'integer', DESC.pcValue),
    col('Global-Default', 'boolean', DESC.pcGlobalDefault),
    AGE_COLUMN,
    // The real printer lists this column at priority 0 yet fills it only for wide output, which
    // the server always asks for.
    col('PreemptionPolicy', 'string', DESC.pcPreemptionPolicy),
  ],
  cells: (pc, ctx) => [
    nameOf(pc),
    num(get(pc, 'value')),
    get(pc, 'globalDefault') === true,
    ageOf(pc, ctx),
    str(get(pc, 'preemptionPolicy'), 'PreemptLowerPriority'), // the API default
  ],
};

/** APIServices: where the group/version is served, and whether it answers (kube-aggregator's printer). */
export const apiServicePrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Service', 'string', 'The reference to the service that hosts this API endpoint.'),
    col('Available', 'string', 'Whether this service is available.'),
    AGE_COLUMN,
  ],
  cells(svc, ctx) {
    const ref = get(svc, 'spec', 'service');
    const service = ref ? `${str(get(ref, 'namespace'))}/${str(get(ref, 'name'))}` : 'Local';
    const available = arr(get(svc, 'status', 'conditions')).find((c) => get(c, 'type') === 'Available');
    const status = available ? str(get(available, 'status')) : 'Unknown';
    const reason = available ? str(get(available, 'reason')) : '';
    return [nameOf(svc), service, status === 'True' || !reason ? status : `${status} (${reason})`, ageOf(svc, ctx)];
  },
};
/** Webhook configurations: how many webhooks each holds (printers.go). */
export const webhookConfigurationPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Webhooks', 'integer', 'Webhooks indicates the number of webhooks in the configuration.'),
    AGE_COLUMN,
  ],
  cells: (c, ctx) => [nameOf(c), arr(get(c, 'webhooks')).length, ageOf(c, ctx)],
};
export const admissionPolicyPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Validations', 'integer', 'Validations indicates the number of validation rules.'),
    col('ParamKind', 'string', 'ParamKind specifies the kind of resources used to parameterize this policy'),
    AGE_COLUMN,
  ],
  cells: (p, ctx) => [nameOf(p), arr(get(p, 'spec', 'validations')).length, '<unset>', ageOf(p, ctx)],
};
export const admissionPolicyBindingPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col(
      'PolicyName',
      'string',
      'PolicyName references a ValidatingAdmissionPolicy name which the ValidatingAdmissionPolicyBinding binds to.',
    ),
    col(
      'ParamRef',
      'string',
      'ParamRef specifies the parameter resource used to configure the admission control policy.',
    ),
    AGE_COLUMN,
  ],
  cells: (b, ctx) => [nameOf(b), str(get(b, 'spec', 'policyName')), '<unset>', ageOf(b, ctx)],
};
