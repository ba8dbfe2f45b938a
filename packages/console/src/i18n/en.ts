// English strings: the shape every other language must match (zh-CN.ts is typed by it).
export const en = {
  app: { title: 'Wharf console', skip: 'Skip to content', loading: 'Loading…', menu: 'Main menu' },
  nav: {
    monitoring: 'Monitoring', builds: 'Builds', platform: 'Platform', applications: 'Applications', configSets: 'Configuration sets', overview: 'Overview', workloads: 'Workloads', network: 'Network', config: 'Configuration', storage: 'Storage', cluster: 'Cluster',
    namespaces: 'Namespaces', nodes: 'Nodes', deployments: 'Deployments', statefulsets: 'StatefulSets', daemonsets: 'DaemonSets', jobs: 'Jobs',
    pods: 'Pods', services: 'Services', ingresses: 'Ingresses', configmaps: 'ConfigMaps', secrets: 'Secrets',
    persistentvolumeclaims: 'PersistentVolumeClaims', events: 'Events',
  },
  header: {
    namespace: 'Namespace', allNamespaces: 'All namespaces', language: 'Language', signOut: 'Sign out', signedInAs: 'Signed in as {{user}}',
  },
  signIn: {
    title: 'Sign in to Wharf', tokenLabel: 'Bearer token', tokenHelp: 'Run "wharf console" for a sign-in link, or paste a token (kubectl create token SERVICEACCOUNT).',
    submit: 'Sign in', redeeming: 'Signing in with your link…', linkFailed: 'The sign-in link did not work: {{message}}', tokenRejected: 'The API did not accept this token: {{message}}',
    tokenRequired: 'Paste a token first.',
  },
  list: {
    labelSelector: 'Label selector', labelSelectorPlaceholder: 'app=web,tier!=cache', count: '{{count}} objects', live: 'Live', connecting: 'Connecting…', reconnecting: 'Reconnecting…',
    empty: 'Nothing here yet', table: '{{kind}} list',
  },
  col: {
    cpu: 'CPU', memory: 'Memory', name: 'Name', namespace: 'Namespace', age: 'Age', status: 'Status', ready: 'Ready', restarts: 'Restarts', node: 'Node', upToDate: 'Up to date',
    available: 'Available', desired: 'Desired', completions: 'Completions', type: 'Type', clusterIP: 'Cluster IP', ports: 'Ports', hosts: 'Hosts',
    keys: 'Keys', capacity: 'Capacity', storageClass: 'Storage class', reason: 'Reason', object: 'Object', message: 'Message', lastSeen: 'Last seen',
    version: 'Version', count: 'Count',
  },
  detail: {
    summary: 'Summary', yaml: 'YAML', logs: 'Logs', events: 'Events', labels: 'Labels', annotations: 'Annotations', created: 'Created', uid: 'UID',
    none: 'None', replicas: 'Replicas', scale: 'Scale', scaled: 'Scaled {{name}} to {{count}}', restart: 'Restart', restarted: 'Restarting {{name}}: new pods roll out',
    delete: 'Delete', deleteTitle: 'Delete {{kind}} {{name}}?', deleteBody: 'This deletes {{kind}} "{{name}}" in namespace "{{namespace}}". It cannot be undone.',
    deleteBodyCluster: 'This deletes {{kind}} "{{name}}". It cannot be undone.', cancel: 'Cancel', deleted: 'Deleted {{kind}} {{name}}',
    notAllowed: 'Not allowed for your account: {{reason}}', notAllowedNoReason: 'Not allowed for your account', back: 'Back to the list', gone: 'This object no longer exists.',
    data: 'Data keys', hidden: 'hidden', noEvents: 'No events for this object.',
  },
  yaml: {
    label: 'YAML of {{name}}', save: 'Save', saved: 'Saved {{name}}', reload: 'Reload', invalid: 'The YAML does not parse: {{message}}',
    secretReadOnly: 'Secret values are hidden, so a Secret\'s YAML is read-only here.', checking: 'Checking with the API server (dry run)…',
  },
  terminal: { tab: 'Terminal', container: 'Container', label: 'Shell in {{name}}', connecting: 'Connecting…', open: 'Connected', closed: 'Session ended', reconnect: 'Reconnect' },
  logs: { container: 'Container', follow: 'Follow', label: 'Logs of {{name}}', waiting: 'Waiting for log lines…', lines: '{{count}} lines' },
  overview: {
    title: 'Overview', nodesReady: 'Nodes ready', warnings: 'Recent warning events', noWarnings: 'No warning events.', api: 'API server', version: 'Version',
    unreachable: 'unreachable',
  },
  apps: {
    empty: 'No applications in this namespace yet', revision: 'Revision', readyPerComponent: 'Ready (per component)', url: 'URL', conditions: 'Conditions',
    title: 'Application {{namespace}}/{{name}}', components: 'Components', component: 'Component', images: 'Images', rollout: 'Rollout',
    rolloutOf: 'revision {{revision}} (from {{from}}): {{phase}}', noRollout: 'none in progress', revisions: 'Revisions', config: 'Config',
    current: 'current', phase: 'Phase', cause: 'Cause', actions: 'Actions', rollback: 'Roll back', toRevision: ' to revision {{revision}}',
    rollbackTitle: 'Roll back {{name}} to revision {{revision}}?',
    rollbackBody: 'Application "{{name}}" in namespace "{{namespace}}" gets a new revision with the images and the exact config and secret versions of revision {{revision}}, rolled out under the health gates. It changes:',
    rollbackRequested: 'Rollback of {{name}} to revision {{revision}} requested', scaled: 'Scaled {{component}} to {{count}}', replicasOf: 'Replicas of {{component}}',
    preview: { image: 'image {{value}}', config: 'config {{value}}', same: 'no image or config version (only the spec)' },
  },
  config: {
    of: 'ConfigSet {{name}}', versions: 'Versions of {{name}}', version: 'Version', versionN: 'version {{version}}', author: 'Author', compare: 'Compare',
    from: 'From version', to: 'To version', diffOf: 'Changes from version {{from}} to version {{to}}', key: 'Key', change: 'Change',
    added: 'added', changed: 'changed', removed: 'removed', noChange: 'No key differs.', none: 'This application reads no ConfigSet.',
  },
  newApp: {
    title: 'Create application', stepRuntime: 'Runtime', stepParts: 'Artifacts and config', stepReview: 'Review', name: 'Application name',
    nameHelp: 'Lowercase letters, digits and \'-\'; the URL and every object of the application derive from it.', dnsLabel: 'Use lowercase letters, digits and \'-\', starting and ending with a letter or digit.',
    required: 'Required', image: 'Runtime image (M)', imageHelp: 'The image that runs, e.g. a JDK or nginx; the application\'s files come from the artifacts.',
    command: 'Command (optional)', commandHelp: 'One argument per line; leave empty to run the image\'s own command.', port: 'Port', analysisSeconds: 'Health check seconds per step',
    host: 'Host name (optional)', hostHelp: 'Served through the gateway at this host; needs a port.', artifacts: 'Artifact images (N)', artifactImage: 'Artifact {{n}} image',
    artifactPath: 'Artifact {{n}} path in the image', artifactMount: 'Artifact {{n}} mount path', removeArtifact: 'artifact {{n}}', addArtifact: 'Add an artifact', remove: 'Remove',
    config: 'Configuration', configSet: 'Config {{n}}: ConfigSet', readAs: 'Config {{n}}: read as', configMount: 'Config {{n}}: mount path (files)', removeConfig: 'config {{n}}',
    addConfig: 'Add a ConfigSet', reviewHelp: 'The Application to create, as wharf app create would make it. Create checks it with the API server (dry run) first.',
    previewLabel: 'The Application to create', back: 'Back', next: 'Next', create: 'Create', created: 'Created application {{name}}: its first rollout starts',
  },
  configsets: {
    title: 'Configuration sets', intro: 'Versioned configuration read by applications. Every change publishes a new immutable version; applications reading it roll it out under health gates.',
    empty: 'No ConfigSets in this namespace yet (wharf config set NAME KEY=VALUE creates one)', unpublished: 'not published yet', lastChange: 'Last change', readBy: 'Read by',
    detailTitle: 'ConfigSet {{namespace}}/{{name}}', current: 'Current version: {{version}}', data: 'Keys and values', versions: 'Versions', dataOf: 'Keys and values of {{name}}',
    value: 'Value', binary: '(binary, {{bytes}} bytes)', binaryReadOnly: 'binary: change it with wharf config set --from-file', edit: 'Edit', addKey: 'Add a key',
    editTitle: 'Change {{key}} of {{name}}', addTitle: 'Add a key to {{name}}', removeKey: 'Remove {{key}}', message: 'Why (recorded with the version)',
    messageHelp: 'Shown in the version history, as wharf config set -m does.', check: 'Check (dry run)', save: 'Save and publish',
    badKey: 'A key consists of letters, digits, \'-\', \'_\' or \'.\'.', keyExists: 'This key exists: edit it from the list instead.',
    checked: 'The API server accepts this change (dry run; nothing is saved yet). Saving publishes version {{version}}:', nothingChanges: 'Nothing changes: the value is the same.',
    changesLabel: 'What the change does to the keys', before: 'Now', after: 'After saving', impactLabel: 'What the change does to the applications',
    publishing: 'Saved {{name}}: the platform is publishing the new version…', published: 'Published version {{version}} of {{name}}.', rollingOut: 'Rolling it out under health gates:',
    noRollout: 'No application rolls it out (none reads it with update: rollout).', noReaders: 'No application in this namespace reads this ConfigSet.',
    readersOf: 'Applications reading {{name}}', reads: 'Reads as', keysRead: 'Keys', allKeys: 'all keys', effect: 'On a change', why: 'Why',
    effects: { rollout: 'rollout', inPlace: 'in place', nothing: 'nothing' },
    whys: {
      noChange: 'no key changes', manual: 'update: manual: keeps its pinned version until its next rollout', inPlace: 'the files change in the running pods, no restart',
      inPlaceNone: 'reads none of the changed keys', rollout: 'a new revision: one canary pod per component, then all, rolled back if unhealthy',
      rolloutNone: 'a new revision (it reads none of the changed keys, but pins every version)',
    },
    missingKeys: 'It reads removed keys {{keys}}: the application will report ConfigKeyNotFound and not roll out.',
  },
  node: {
    conditions: 'Conditions', resources: 'Capacity and allocatable', resource: 'Resource', allocatable: 'Allocatable', pods: '{{count}} pods on this node',
    cordon: 'Cordon', uncordon: 'Uncordon', cordoned: 'Cordoned {{name}}: no new pods are scheduled on it', uncordoned: 'Uncordoned {{name}}: pods may be scheduled on it again',
  },
  monitoring: {
    target: 'What to watch', node: 'Node', pod: 'Pod', app: 'Application', object: 'Object', window: 'Time window', lastMinutes: 'last {{count}} min',
    cpu: 'CPU (cores)', memory: 'Memory (working set)', qps: 'Requests per second (gateway)', noData: 'No samples yet in this window.',
    latest: '{{title}}, latest: {{latest}}', alerts: 'Alerts', noAlerts: 'No alerts are pending or firing.', alert: 'Alert', severity: 'Severity', summary: 'Summary', since: 'Active since',
  },
  builds: {
    empty: 'No builds in this namespace yet', pipeline: 'Pipeline', commit: 'Commit', trigger: 'Trigger', deployment: 'Deployment', duration: 'Duration',
    title: 'Build {{namespace}}/{{name}}', steps: 'Tasks and steps', task: 'Task', step: 'Step', logsOf: 'Logs of build {{name}}',
    cancel: 'Cancel build', cancelTitle: 'Cancel build {{name}}?', cancelBody: 'This stops build "{{name}}" in namespace "{{namespace}}": running steps are ended and no further task starts.',
    cancelled: 'Build {{name}} cancelled',
  },
  error: {
    title: 'The API answered {{code}} {{reason}}', network: 'The API could not be reached',
    hint400: 'The API refused the request as malformed: correct what the message names, then try again.',
    hint401: 'Your sign-in has expired or the token is not valid: sign in again.',
    hint403: 'Your account may not do this: ask a cluster administrator for a Role that allows it.',
    hint404: 'It does not exist (any more): it may have been deleted, or the namespace is wrong.',
    hint409: 'Someone changed it since you loaded it: reload, then apply your change again.',
    hint422: 'The object is not valid: correct the fields the message names, then save again.',
    hint0: 'Check that "wharf up" is running, then reload this page.',
    hintOther: 'Try again; if it persists, the API server\'s log says more.',
  },
} as const;

type Strings<T> = { readonly [K in keyof T]: T[K] extends string ? string : Strings<T[K]> };
/** What a translation must provide: every key of the English resource, as strings. */
export type Messages = Strings<typeof en>;
