// String formats a CRD schema may name (the kube-openapi format registry); an unknown format
// accepts any string, as the real server does.
import { isIP } from 'node:net';

const DURATION = /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h|d|w))+$/;
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const HOSTNAME = /^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?))*\.?$/;
const EMAIL = /^[^\s@]+@[^\s@]+$/;
const MAC = /^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?$/;

const CHECKS: Record<string, (v: string) => boolean> = {
  'date-time': (v) => DATE_TIME.test(v) && !Number.isNaN(Date.parse(v.replace(' ', 'T'))),
  datetime: (v) => DATE_TIME.test(v),
  date: (v) => DATE.test(v) && !Number.isNaN(Date.parse(v)),
  duration: (v) => DURATION.test(v),
  byte: (v) => BASE64.test(v),
  uuid: (v) => UUID.test(v),
  uuid3: (v) => UUID.test(v),
  uuid4: (v) => UUID.test(v),
  uuid5: (v) => UUID.test(v),
  ipv4: (v) => isIP(v) === 4,
  ipv6: (v) => isIP(v) === 6,
  cidr: (v) => {
    const [ip = '', bits, extra] = v.split('/');
    const family = isIP(ip);
    return (
      extra === undefined &&
      family !== 0 &&
      bits !== undefined &&
      /^\d+$/.test(bits) &&
      Number(bits) <= (family === 4 ? 32 : 128)
    );
  },
  mac: (v) => MAC.test(v),
  hostname: (v) => v.length <= 255 && HOSTNAME.test(v),
  email: (v) => EMAIL.test(v),
  uri: (v) => {
    try {
      new URL(v);
      return true;
    } catch {
      return false;
    }
  },
};

/** True when `v` is not a valid instance of the named format. */
export function formatError(format: string, v: string): boolean {
  const check = CHECKS[format];
  return check !== undefined && !check(v);
}
