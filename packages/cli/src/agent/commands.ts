// `wharf agent`: run a node agent as a process of its own that joins a cluster, as `kubeadm join`.
import { Option, type Command } from 'commander';
import type { AgentCommandOptions } from './run.js';

export function addAgentCommands(program: Command): void {
  program
    .command('agent')
    .description(
      'run a node agent in the foreground that joins the cluster with a bootstrap token (first start) or its node certificate (later starts)',
    )
    .requiredOption('--node <name>', "the node's name")
    .requiredOption('--server <url>', "the cluster's API server, e.g. https://127.0.0.1:6443")
    .option('--token <id.secret>', 'a bootstrap token from "wharf token create" (first start only)')
    .option(
      '--ca-cert-hash <sha256:hex>',
      "pin of the cluster CA's public key, checked against kube-public/cluster-info (first start)",
    )
    .option('--ca-cert <file>', 'trust this CA file instead of discovering and pinning it (first start)')
    .option(
      '--data-dir <dir>',
      'where the agent keeps its credentials, images and containers (default ~/.wharf/agents/<node>)',
    )
    .option('--pod-cidr <cidr>', "the node's pod range (first start; default 10.127.0.0/24)")
    .option('--bridge <name>', "the node's bridge (first start; default one per data dir)")
    .option('--zone <zone>', 'topology.kubernetes.io/zone label')
    .option('--registry <host:port>', "the built-in registry (default the server's host, port 5000)")
    .option('--runtime <kind>', 'runc, process or auto', 'auto')
    .option('--heartbeat-seconds <s>', 'how often the node renews its Lease (default 10, as the kubelet)')
    .option(
      '--kubernetes-version <X.Y.Z>',
      "the Kubernetes version this node runs for, reported as its kubelet version; never newer than the API server, at most 3 minors older (default: the one it ran before, else the API server's)",
    )
    .option(
      '--cluster-dns <address>',
      'the DNS server of ClusterFirst pods: an IP, or "gateway" (the node\'s bridge gateway, redirected to cluster DNS by the dataplane of the Wharf on this machine); default: the host\'s resolv.conf',
    )
    .option(
      '--node-ip <address>',
      "the node's InternalIP: the kubelet port 10250 listens there over HTTPS for pods (Prometheus); needs --tls-cert-file and --tls-private-key-file",
    )
    .option('--tls-cert-file <file>', 'serving certificate (PEM) of the kubelet port, valid for --node-ip')
    .option('--tls-private-key-file <file>', 'its private key (PEM)')
    .addOption(
      new Option(
        '--state-dir <dir>',
        'where the runtime keeps containers, volumes and logs (default DATA_DIR/node)',
      ).hideHelp(),
    )
    .addOption(
      new Option(
        '--image-dir <dir>',
        'the image store, shared by the nodes of one wharf up (default DATA_DIR/images)',
      ).hideHelp(),
    )
    .addOption(
      new Option(
        '--rootfs-dir <dir>',
        'unpacked root filesystems, shared likewise (default DATA_DIR/rootfs)',
      ).hideHelp(),
    )
    .option('--log-format <format>', 'json or text (default: text on a terminal, json otherwise)')
    .option('--log-level <level>', 'trace, debug, info, warn, error, fatal or silent', 'info')
    .addHelpText(
      'after',
      `
The pin of the cluster CA, on the control plane's machine:
  openssl x509 -pubkey -noout -in ~/.wharf/pki/ca.crt | openssl pkey -pubin -outform der | sha256sum`,
    )
    .action(async (o: AgentCommandOptions) => {
      const { runAgent } = await import('./run.js');
      await runAgent(o);
    });
}
