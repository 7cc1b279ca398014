// Vite config of the web console: `npm run build:console` builds console/ into console/dist, which
// `tidewatch serve` serves under `/`. `TIDEWATCH_API=http://127.0.0.1:8470 npx vite console` runs a dev
// server that proxies the API to a running service.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const api = process.env.TIDEWATCH_API ?? 'http://127.0.0.1:8470';

export default defineConfig({
  base: './',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1200,
  },
  server: {
    proxy: { '/api': api, '/health': api },
  },
});
