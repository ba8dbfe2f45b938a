// Cluster DNS: an authoritative server for the cluster domain on the host, over UDP and TCP,
// answering from Services and EndpointSlices it watches through the Kubernetes API. Pods reach it
// at their bridge's gateway address (see podDnsConfig): either it listens on port 53 itself, or
// (`redirectFrom`) it listens on a port of its own and iptables redirects <gateway>:53 to it.
// No forwarding: names outside the cluster domain are REFUSED.
import dgram from 'node:dgram';
import net from 'node:net';
import type { KubeConfig, V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import { Informer, KubeClient, silentLogger, type Logger } from '@wharf/client';
import { answerQuery } from './answer.js';
import { buildRecords, type DnsRecords } from './records.js';
import { installRedirect, removeRedirect } from './redirect.js';
import type { InheritedListeners, ListenerHandle } from '../util/inherited.js';

export interface ClusterDnsOptions {
  readonly kubeConfig: KubeConfig;
  /** Address to listen on (UDP and TCP). @default '0.0.0.0' */
  readonly host?: string;
  /** Port (UDP and TCP); 0 picks a free one (see `port` after start). @default 53 */
  readonly port?: number;
  /** @default 'cluster.local' */
  readonly clusterDomain?: string;
  /**
   * Addresses (the nodes' bridge gateways) whose port 53 iptables redirects to this server's port,
   * for a server not on port 53. @default none
   */
  readonly redirectFrom?: readonly string[];
  /** @default silentLogger */
  readonly logger?: Logger;
  /**
   * Serve on the sockets a previous server handed over (`dns-tcp`, `dns-udp`) instead of binding
   * `port`; its iptables redirect, to the same port, stays as it is. @default bind
   */
  readonly inherited?: InheritedListeners;
}

const TCP_IDLE_MS = 10_000;
const MAX_TCP_CONNECTIONS = 256;

export class ClusterDns {
  private readonly logger: Logger;
  private readonly domain: string;
  private client: KubeClient | undefined;
  private services: Informer<V1Service> | undefined;
  private slices: Informer<V1EndpointSlice> | undefined;
  private records: DnsRecords;
  private rebuildPending = false;
  private udp: dgram.Socket | undefined;
  private tcp: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private boundPort = 0;
  private redirected = false;

  constructor(private readonly o: ClusterDnsOptions) {
    this.logger = o.logger ?? silentLogger;
    this.domain = o.clusterDomain ?? 'cluster.local';
    this.records = buildRecords([], [], this.domain);
  }

  /** The port the server listens on (after start). */
  get port(): number {
    return this.boundPort;
  }

  /** The current records (for diagnostics and tests). */
  get current(): DnsRecords {
    return this.records;
  }

  /** Fills the caches, then listens; resolves when queries are answered from the current state. */
  async start(): Promise<void> {
    this.client = new KubeClient(this.o.kubeConfig);
    const onChange = (): void => this.scheduleRebuild();
    const onError = (e: unknown): void => this.logger.warn({ err: e }, 'watch failed; resuming');
    this.services = new Informer<V1Service>({ client: this.client, path: '/api/v1/services', onError });
    this.slices = new Informer<V1EndpointSlice>({
      client: this.client,
      path: '/apis/discovery.k8s.io/v1/endpointslices',
      onError,
    });
    this.services.on(onChange);
    this.slices.on(onChange);
    await Promise.all([this.services.startSynced(), this.slices.startSynced()]);
    this.rebuild();
    const host = this.o.host ?? '0.0.0.0';
    this.tcp = net.createServer((s) => this.onTcp(s));
    this.tcp.maxConnections = MAX_TCP_CONNECTIONS;
    if (this.o.inherited) await this.inherit(this.o.inherited);
    else await this.bind(host);
    if (this.o.redirectFrom?.length) {
      if (!this.o.inherited) await installRedirect(this.o.redirectFrom, this.boundPort);
      this.redirected = true;
    }
  }

  private async bind(host: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.tcp!.once('error', reject);
      this.tcp!.listen(this.o.port ?? 53, host, () => resolve());
    });
    this.boundPort = (this.tcp!.address() as net.AddressInfo).port;
    this.udp = this.listenUdp(dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4'));
    await new Promise<void>((resolve, reject) => {
      this.udp!.once('error', reject);
      this.udp!.bind(this.boundPort, host, () => resolve());
    });
  }

  private async inherit(inherited: InheritedListeners): Promise<void> {
    let listening: Promise<void> = Promise.resolve();
    await inherited.take('dns-tcp', (h) => {
      listening = new Promise((resolve) => this.tcp!.listen(h as net.Server, () => resolve()));
    });
    await listening;
    this.boundPort = (this.tcp!.address() as net.AddressInfo).port;
    await inherited.take('dns-udp', (h) => (this.udp = this.listenUdp(h as dgram.Socket)));
  }

  private listenUdp(socket: dgram.Socket): dgram.Socket {
    socket.on('message', (msg, rinfo) => this.onUdp(msg, rinfo));
    socket.on('error', (e) => this.logger.error({ err: e }, 'UDP socket error'));
    return socket;
  }

  /** The listening sockets, for a successor to serve on (see `inherited`). */
  get listeners(): Record<string, ListenerHandle> {
    return { ...(this.tcp ? { 'dns-tcp': this.tcp } : {}), ...(this.udp ? { 'dns-udp': this.udp } : {}) };
  }

  /** After a hand-over: stops serving here, leaving the redirect (and the sockets) to the successor. */
  async release(): Promise<void> {
    this.redirected = false;
    await this.stop();
  }

  async stop(): Promise<void> {
    if (this.redirected)
      await removeRedirect(this.o.redirectFrom ?? []).catch((e) =>
        this.logger.warn({ err: e }, 'removing the DNS redirect failed'),
      );
    this.redirected = false;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.tcp ? this.tcp.close(() => r()) : r()));
    await new Promise<void>((r) => (this.udp ? this.udp.close(() => r()) : r()));
    this.tcp = undefined;
    this.udp = undefined;
    await Promise.all([this.services?.stop(), this.slices?.stop()]);
    this.client?.close();
  }

  private scheduleRebuild(): void {
    if (this.rebuildPending) return;
    this.rebuildPending = true;
    // Coalesces the bursts of a relist into one rebuild.
    setImmediate(() => {
      this.rebuildPending = false;
      this.rebuild();
    });
  }

  private rebuild(): void {
    this.records = buildRecords(this.services?.list() ?? [], this.slices?.list() ?? [], this.domain);
  }

  private answer(msg: Buffer, transport: 'udp' | 'tcp'): Buffer | undefined {
    try {
      return answerQuery(msg, this.records, { transport });
    } catch (e) {
      this.logger.warn({ err: e }, 'answering a query failed');
      return undefined;
    }
  }

  private onUdp(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const out = this.answer(msg, 'udp');
    if (out)
      this.udp?.send(
        out,
        rinfo.port,
        rinfo.address,
        (e) => e && this.logger.debug({ err: e }, 'sending an answer failed'),
      );
  }

  /** DNS over TCP: each message is preceded by its 2-byte length (RFC 1035 4.2.2). */
  private onTcp(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.setTimeout(TCP_IDLE_MS, () => socket.destroy());
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let buf = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0);
        if (buf.length < 2 + len) break;
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        const out = this.answer(msg, 'tcp');
        if (!out || out.length > 0xffff) {
          socket.destroy();
          return;
        }
        const framed = Buffer.alloc(2 + out.length);
        framed.writeUInt16BE(out.length, 0);
        out.copy(framed, 2);
        socket.write(framed);
      }
    });
  }
}
