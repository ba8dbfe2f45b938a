// 简体中文. Typed by the English resource: a missing key is a compile error.
import type { Messages } from './en.js';

export const zhCN: Messages = {
  app: { title: 'Wharf 控制台', skip: '跳到正文', loading: '加载中…', menu: '主菜单' },
  nav: {
    monitoring: '监控', builds: '构建', platform: '平台', applications: '应用', overview: '概览', workloads: '工作负载', network: '网络', config: '配置', storage: '存储', cluster: '集群',
    namespaces: '命名空间', nodes: '节点', deployments: '部署 (Deployment)', statefulsets: '有状态副本集 (StatefulSet)', daemonsets: '守护进程集 (DaemonSet)',
    jobs: '任务 (Job)', pods: '容器组 (Pod)', services: '服务 (Service)', ingresses: '应用路由 (Ingress)', configmaps: '配置字典 (ConfigMap)',
    secrets: '保密字典 (Secret)', persistentvolumeclaims: '存储卷声明 (PVC)', events: '事件',
  },
  header: { namespace: '命名空间', allNamespaces: '全部命名空间', language: '语言', signOut: '退出登录', signedInAs: '当前用户：{{user}}' },
  signIn: {
    title: '登录 Wharf', tokenLabel: '令牌 (Bearer token)', tokenHelp: '运行 "wharf console" 获取登录链接，或粘贴令牌 (kubectl create token 服务账户名)。',
    submit: '登录', redeeming: '正在通过登录链接登录…', linkFailed: '登录链接无效：{{message}}', tokenRejected: 'API 不接受此令牌：{{message}}',
    tokenRequired: '请先粘贴令牌。',
  },
  list: {
    labelSelector: '标签选择器', labelSelectorPlaceholder: 'app=web,tier!=cache', count: '共 {{count}} 个对象', live: '实时', connecting: '正在连接…', reconnecting: '正在重新连接…',
    empty: '暂无数据', table: '{{kind}} 列表',
  },
  col: {
    cpu: 'CPU', memory: '内存', name: '名称', namespace: '命名空间', age: '存在时间', status: '状态', ready: '就绪', restarts: '重启次数', node: '节点', upToDate: '已更新',
    available: '可用', desired: '期望', completions: '完成数', type: '类型', clusterIP: '集群 IP', ports: '端口', hosts: '主机名',
    keys: '键', capacity: '容量', storageClass: '存储类', reason: '原因', object: '对象', message: '消息', lastSeen: '最近发生',
    version: '版本', count: '次数',
  },
  detail: {
    summary: '概要', yaml: 'YAML', logs: '日志', events: '事件', labels: '标签', annotations: '注解', created: '创建时间', uid: 'UID',
    none: '无', replicas: '副本数', scale: '伸缩', scaled: '已将 {{name}} 伸缩到 {{count}}', restart: '重启', restarted: '正在重启 {{name}}：新的容器组将滚动上线',
    delete: '删除', deleteTitle: '删除 {{kind}} {{name}}？', deleteBody: '将删除命名空间 "{{namespace}}" 中的 {{kind}} "{{name}}"，此操作无法撤销。',
    deleteBodyCluster: '将删除 {{kind}} "{{name}}"，此操作无法撤销。', cancel: '取消', deleted: '已删除 {{kind}} {{name}}',
    notAllowed: '您的账户无权执行：{{reason}}', notAllowedNoReason: '您的账户无权执行此操作', back: '返回列表', gone: '该对象已不存在。',
    data: '数据键', hidden: '已隐藏', noEvents: '该对象暂无事件。',
  },
  yaml: {
    label: '{{name}} 的 YAML', save: '保存', saved: '已保存 {{name}}', reload: '重新加载', invalid: 'YAML 无法解析：{{message}}',
    secretReadOnly: '保密字典的值已隐藏，因此此处的 YAML 为只读。', checking: '正在由 API 服务器校验（试运行）…',
  },
  terminal: { tab: '终端', container: '容器', label: '{{name}} 的终端', connecting: '正在连接…', open: '已连接', closed: '会话已结束', reconnect: '重新连接' },
  logs: { container: '容器', follow: '持续跟踪', label: '{{name}} 的日志', waiting: '等待日志输出…', lines: '{{count}} 行' },
  overview: {
    title: '概览', nodesReady: '就绪节点', warnings: '最近的警告事件', noWarnings: '没有警告事件。', api: 'API 服务器', version: '版本',
    unreachable: '无法连接',
  },
  apps: {
    empty: '此命名空间还没有应用', revision: '版本', readyPerComponent: '就绪（按组件）', url: '访问地址', conditions: '状况',
    title: '应用 {{namespace}}/{{name}}', components: '组件', component: '组件', images: '镜像', rollout: '发布',
    rolloutOf: '版本 {{revision}}（自 {{from}}）：{{phase}}', noRollout: '无进行中的发布', revisions: '版本历史', config: '配置',
    current: '当前', phase: '阶段', cause: '原因', actions: '操作', rollback: '回滚', toRevision: '到版本 {{revision}}',
    rollbackTitle: '将 {{name}} 回滚到版本 {{revision}}？',
    rollbackBody: '命名空间 "{{namespace}}" 中的应用 "{{name}}" 将生成一个新版本，使用版本 {{revision}} 的镜像及其确切的配置和保密字典版本，并在健康检查下发布。变更：',
    rollbackRequested: '已请求将 {{name}} 回滚到版本 {{revision}}', scaled: '已将 {{component}} 伸缩到 {{count}}', replicasOf: '{{component}} 的副本数',
    preview: { image: '镜像 {{value}}', config: '配置 {{value}}', same: '镜像和配置版本均不变（仅规格）' },
  },
  config: {
    of: '配置集 {{name}}', versions: '{{name}} 的版本', version: '版本', versionN: '版本 {{version}}', author: '作者', compare: '比较',
    from: '起始版本', to: '目标版本', diffOf: '从版本 {{from}} 到版本 {{to}} 的变更', key: '键', change: '变更',
    added: '新增', changed: '修改', removed: '删除', noChange: '没有不同的键。', none: '此应用未读取任何配置集。',
  },
  node: {
    conditions: '状况', resources: '容量与可分配', resource: '资源', allocatable: '可分配', pods: '此节点上有 {{count}} 个容器组',
    cordon: '停止调度', uncordon: '恢复调度', cordoned: '已停止调度 {{name}}：不再有新容器组调度到此节点', uncordoned: '已恢复调度 {{name}}：容器组可再次调度到此节点',
  },
  monitoring: {
    target: '监控对象', node: '节点', pod: '容器组', app: '应用', object: '对象', window: '时间范围', lastMinutes: '最近 {{count}} 分钟',
    cpu: 'CPU（核）', memory: '内存（工作集）', qps: '每秒请求数（网关）', noData: '此时间范围内暂无样本。',
    latest: '{{title}}，最新值：{{latest}}', alerts: '告警', noAlerts: '没有待定或触发中的告警。', alert: '告警', severity: '级别', summary: '摘要', since: '开始时间',
  },
  builds: {
    empty: '此命名空间还没有构建', pipeline: '流水线', commit: '提交', trigger: '触发方式', deployment: '部署', duration: '耗时',
    title: '构建 {{namespace}}/{{name}}', steps: '任务与步骤', task: '任务', step: '步骤', logsOf: '构建 {{name}} 的日志',
    cancel: '取消构建', cancelTitle: '取消构建 {{name}}？', cancelBody: '这将停止命名空间 "{{namespace}}" 中的构建 "{{name}}"：运行中的步骤被终止，后续任务不再启动。',
    cancelled: '已取消构建 {{name}}',
  },
  error: {
    title: 'API 返回 {{code}} {{reason}}', network: '无法连接 API',
    hint400: 'API 认为请求格式有误：请按消息所指修改后重试。',
    hint401: '登录已过期或令牌无效：请重新登录。',
    hint403: '您的账户无权执行此操作：请联系集群管理员授予相应的角色。',
    hint404: '该对象不存在（或已被删除），也可能是命名空间不对。',
    hint409: '在您加载之后已有人修改了它：请重新加载后再修改。',
    hint422: '对象不合法：请按消息中指出的字段修改后再保存。',
    hint0: '请确认 "wharf up" 正在运行，然后刷新本页。',
    hintOther: '请重试；如仍失败，请查看 API 服务器日志。',
  },
};
