// The `kubectl get csr` columns (printers.go, printCertificateSigningRequest): the signer, who
// asked, the requested duration and the state: the condition types, "Issued" once a certificate
// is there, "Pending" before anything.
import { AGE_COLUMN, NAME_COLUMN, ageOf, col, nameOf } from './columns.js';
import type { Printer } from './columns.js';
import { arr, get, humanDuration, str } from './format.js';

function condition(csr: unknown): string {
  const types = arr(get(csr, 'status', 'conditions'))
    .map((c) => str(get(c, 'type')))
    .filter(Boolean);
  if (str(get(csr, 'status', 'certificate'))) types.push('Issued');
  return types.length ? types.join(',') : 'Pending';
}

export const csrPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    AGE_COLUMN,
    col('SignerName', 'string', 'Name of the signer the request is for.'),
    col('Requestor', 'string', 'Name of the user that created the request.'),
    col('RequestedDuration', 'string', 'The duration of validity the request asks for.'),
    col('Condition', 'string', 'The approval, denial or failure of the request, and whether a certificate was issued.'),
  ],
  cells: (csr, ctx) => {
    const seconds = get(csr, 'spec', 'expirationSeconds');
    return [
      nameOf(csr),
      ageOf(csr, ctx),
      str(get(csr, 'spec', 'signerName')),
      str(get(csr, 'spec', 'username')),
      typeof seconds === 'number' ? humanDuration(seconds * 1000) : '<none>',
      condition(csr),
    ];
  },
};
