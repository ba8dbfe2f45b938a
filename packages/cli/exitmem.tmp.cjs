process.on('exit', () => { const m = process.memoryUsage(); console.error('EXIT rss', (m.rss/1e6).toFixed(0), 'heap', (m.heapUsed/1e6).toFixed(0)); });
