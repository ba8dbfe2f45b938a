// Run inside a pod's network namespace by bench/netpol.mjs (`ip netns exec <ns> node netpol-pod.mjs`):
//   load <ip> <port> <seconds> <clients>  → JSON of runLoad: HTTP GETs, each a new TCP connection
//   flip <ip> <port>                      → for each stdin line "open" or "refused", connects every
//                                           5 ms until the path is in that state, then prints Date.now()
import http from 'node:http';
import net from 'node:net';
import readline from 'node:readline';
import { runLoad } from './stats.mjs';

const [mode, ip, port, a, b] = process.argv.slice(2);

if (mode === 'load') {
  const op = () =>
    new Promise((resolve, reject) => {
      const req = http.get({ host: ip, port: Number(port), path: '/', agent: false, timeout: 5000 }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
    });
  await runLoad({ concurrency: Number(b), durationMs: 1000, op }); // warm-up
  const r = await runLoad({ concurrency: Number(b), durationMs: Number(a) * 1000, op });
  console.log(JSON.stringify({ ...r, firstError: r.firstError ? String(r.firstError) : undefined }));
} else if (mode === 'flip') {
  const state = () =>
    new Promise((resolve) => {
      const s = net.connect({ host: ip, port: Number(port) });
      const t = setTimeout(() => (s.destroy(), resolve('timeout')), 1000);
      s.once('connect', () => (clearTimeout(t), s.destroy(), resolve('open')));
      s.once('error', () => (clearTimeout(t), resolve('refused')));
    });
  for await (const want of readline.createInterface({ input: process.stdin })) {
    while ((await state()) !== want) await new Promise((r) => setTimeout(r, 5));
    console.log(Date.now());
  }
}
