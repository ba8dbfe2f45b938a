// Turns one DNS query (wire format) into its answer from the cluster's records. Authoritative for
// the cluster domain; REFUSED for every other name (there is no upstream: Wharf's pods have no
// route off the machine). Malformed queries get FORMERR when their header is readable and are
// dropped otherwise; responses are never answered, so two servers cannot loop.
import dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, OptAnswer, Packet, Question } from 'dns-packet';
import { normalizeName, type DnsRecords } from './records.js';

/** Record TTL, as CoreDNS's kubernetes plugin defaults to. */
export const TTL = 5;

const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
type Rcode = (typeof RCODE)[keyof typeof RCODE];

export interface AnswerOptions {
  /** UDP answers larger than this (or the client's EDNS size) are truncated. TCP answers are not. */
  readonly transport: 'udp' | 'tcp';
}

/** The wire-format answer to `query`, or undefined when nothing should be sent. */
export function answerQuery(query: Buffer, records: DnsRecords, o: AnswerOptions): Buffer | undefined {
  if (query.length < 12) return undefined;
  const id = query.readUInt16BE(0);
  const flags = query.readUInt16BE(2);
  if (flags & 0x8000) return undefined; // a response: never answer those
  const rd = flags & 0x0100;
  const opcode = (flags >> 11) & 0xf;
  let decoded: DecodedPacket;
  try {
    decoded = dnsPacket.decode(query);
  } catch {
    return header(id, rd, RCODE.FORMERR);
  }
  if (opcode !== 0)
    return encode({ id, flags: rd | RCODE.NOTIMP, type: 'response', questions: decoded.questions ?? [] });
  const q = decoded.questions?.[0];
  if (!q || (decoded.questions?.length ?? 0) !== 1 || typeof q.name !== 'string') return header(id, rd, RCODE.FORMERR);
  const opt = (decoded.additionals ?? []).find((a): a is OptAnswer => a.type === 'OPT');
  const result = resolve(q, records);
  const response: Packet = {
    id,
    type: 'response',
    flags: (result.rcode === RCODE.REFUSED ? 0 : dnsPacket.AUTHORITATIVE_ANSWER) | rd | result.rcode,
    questions: [q],
    answers: result.answers,
    authorities: result.authorities,
    additionals: [
      ...result.additionals,
      ...(opt
        ? [
            {
              type: 'OPT',
              name: '.',
              udpPayloadSize: 1232,
              extendedRcode: 0,
              ednsVersion: 0,
              flags: 0,
              flag_do: false,
              options: [],
            } as OptAnswer,
          ]
        : []),
    ],
  };
  let out: Buffer;
  try {
    out = dnsPacket.encode(response);
  } catch {
    return header(id, rd, RCODE.SERVFAIL);
  }
  if (o.transport === 'udp') {
    const limit = Math.max(512, Math.min(opt?.udpPayloadSize ?? 512, 4096));
    if (out.length > limit) {
      return encode({
        ...response,
        flags: (response.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE,
        answers: [],
        authorities: [],
        additionals: [],
      });
    }
  }
  return out;
}

interface Result {
  rcode: Rcode;
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
}

/** The answer sections for one question. */
export function resolve(q: Question, records: DnsRecords): Result {
  const name = normalizeName(q.name);
  const zone = records.domain;
  const answers: Answer[] = [];
  const additionals: Answer[] = [];
  const soa = [soaRecord(zone)];
  const ok = (): Result => ({ rcode: RCODE.NOERROR, answers, authorities: answers.length ? [] : soa, additionals });
  const qtype: string = q.type;

  if (name.endsWith('.in-addr.arpa') || name.endsWith('.ip6.arpa')) {
    const targets = records.ptr.get(name);
    if (!targets) return { rcode: RCODE.REFUSED, answers, authorities: [], additionals };
    if (qtype === 'PTR' || qtype === 'ANY')
      for (const t of targets) answers.push({ name: q.name, type: 'PTR', ttl: TTL, data: t });
    return { rcode: RCODE.NOERROR, answers, authorities: [], additionals };
  }
  if (name !== zone && !name.endsWith(`.${zone}`))
    return { rcode: RCODE.REFUSED, answers, authorities: [], additionals };

  if (qtype === 'SOA' && name === zone) {
    answers.push(soaRecord(zone));
    return { rcode: RCODE.NOERROR, answers, authorities: [], additionals };
  }
  if (qtype === 'NS' && name === zone) {
    answers.push({ name: q.name, type: 'NS', ttl: TTL, data: `ns.dns.${zone}` });
    return ok();
  }

  // <a-b-c-d>.<ns>.pod.<zone>: any well-formed address, as CoreDNS's `pods insecure` answers.
  const pod = new RegExp(`^(\\d{1,3}-\\d{1,3}-\\d{1,3}-\\d{1,3})\\.[a-z0-9-]+\\.pod\\.${escape(zone)}$`).exec(name);
  if (pod?.[1]) {
    const ip = pod[1].replace(/-/g, '.');
    if (ip.split('.').some((p) => Number(p) > 255))
      return { rcode: RCODE.NXDOMAIN, answers, authorities: soa, additionals };
    if (qtype === 'A' || qtype === 'ANY') answers.push({ name: q.name, type: 'A', ttl: TTL, data: ip });
    return ok();
  }

  const rec = records.names.get(name);
  if (!rec) {
    if (records.nonTerminals.has(name)) return ok();
    return { rcode: RCODE.NXDOMAIN, answers, authorities: soa, additionals };
  }
  if (rec.cname) {
    answers.push({ name: q.name, type: 'CNAME', ttl: TTL, data: rec.cname });
    return ok();
  }
  if (qtype === 'A' || qtype === 'ANY')
    for (const ip of rec.a) answers.push({ name: q.name, type: 'A', ttl: TTL, data: ip });
  if (qtype === 'AAAA' || qtype === 'ANY')
    for (const ip of rec.aaaa) answers.push({ name: q.name, type: 'AAAA', ttl: TTL, data: ip });
  if (qtype === 'SRV' || qtype === 'ANY') {
    for (const s of rec.srv) {
      answers.push({
        name: q.name,
        type: 'SRV',
        ttl: TTL,
        data: { priority: s.priority, weight: s.weight, port: s.port, target: s.target },
      });
      const t = records.names.get(s.target);
      for (const ip of t?.a ?? [])
        if (!additionals.some((x) => x.name === s.target && x.type === 'A' && x.data === ip))
          additionals.push({ name: s.target, type: 'A', ttl: TTL, data: ip });
      for (const ip of t?.aaaa ?? [])
        if (!additionals.some((x) => x.name === s.target && x.type === 'AAAA' && x.data === ip))
          additionals.push({ name: s.target, type: 'AAAA', ttl: TTL, data: ip });
    }
  }
  return ok();
}

function soaRecord(zone: string): Answer {
  return {
    name: zone,
    type: 'SOA',
    ttl: TTL,
    data: {
      mname: `ns.dns.${zone}`,
      rname: `hostmaster.${zone}`,
      serial: Math.floor(Date.now() / 1000) >>> 0,
      refresh: 7200,
      retry: 1800,
      expire: 86400,
      minimum: TTL,
    },
  };
}

function header(id: number, rd: number, rcode: Rcode): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt16BE(id, 0);
  b.writeUInt16BE(0x8000 | rd | rcode, 2);
  return b;
}

function encode(p: Packet): Buffer {
  try {
    return dnsPacket.encode(p);
  } catch {
    return header(p.id ?? 0, (p.flags ?? 0) & 0x0100, RCODE.SERVFAIL);
  }
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
