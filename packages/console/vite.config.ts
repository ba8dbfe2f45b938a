// The console builds to dist/, which `wharf up` serves. Routes load lazily (React.lazy), so the
// first load carries the shell and the list page; the YAML editor and the log view come on use.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 1500 },
  server: {
    proxy: {
      '/api': 'http://localhost:8070',
      '/apis': 'http://localhost:8070',
      '/console-auth': 'http://localhost:8070',
    },
  },
});
