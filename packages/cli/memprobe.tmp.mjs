const target = process.argv[2];
const t0 = Date.now();
await import(target);
global.gc?.();
const m = process.memoryUsage();
console.log(target, 'rss', (m.rss/1e6).toFixed(0), 'heapUsed', (m.heapUsed/1e6).toFixed(0), 'ms', Date.now()-t0);
