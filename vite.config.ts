// The admin console (src/ui): `vite build` writes dist/ui for the server to serve and prints what the
// board's first load transfers; `vite` (npm run dev) serves it with hot reload, starts the Herald
// server beside it and proxies the server's paths to it.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const API_PORT = Number(process.env.HERALD_DEV_API_PORT ?? 3000);
const OUT_DIR = 'dist/ui';

/** Writes .gz and .br beside each text asset (served as they are by the server) and prints sizes. */
function compressAndReport(): Plugin {
  return {
    name: 'herald-compress-and-report',
    apply: 'build',
    closeBundle() {
      const files: string[] = [];
      const walk = (dir: string) => {
        for (const e of readdirSync(dir, { withFileTypes: true })) {
          const p = join(dir, e.name);
          if (e.isDirectory()) walk(p);
          else if (/\.(js|css|html|svg|json)$/.test(e.name)) files.push(p);
        }
      };
      walk(OUT_DIR);
      const html = readFileSync(join(OUT_DIR, 'index.html'), 'utf8');
      // What the board's first load fetches: index.html and every asset it links (scripts, styles, preloads).
      const initial = new Set(['index.html', ...[...html.matchAll(/(?:src|href)="\/([^"]+)"/g)].map((m) => m[1]!)]);
      let totalGzip = 0;
      let totalRaw = 0;
      const rows: string[] = [];
      for (const f of files.sort()) {
        const raw = readFileSync(f);
        const gz = gzipSync(raw, { level: 9 });
        writeFileSync(`${f}.gz`, gz);
        writeFileSync(`${f}.br`, brotliCompressSync(raw));
        const rel = f.slice(OUT_DIR.length + 1);
        const isInitial = initial.has(rel);
        if (isInitial) {
          totalGzip += gz.length;
          totalRaw += raw.length;
        }
        rows.push(`  ${isInitial ? '*' : ' '} ${rel.padEnd(48)} ${(raw.length / 1024).toFixed(1).padStart(8)} KB  gzip ${(gz.length / 1024).toFixed(1).padStart(7)} KB`);
      }
      console.log(`\nConsole bundle (${OUT_DIR}; * = loaded by the board's first visit):\n${rows.join('\n')}`);
      console.log(`  Initial load: ${(totalRaw / 1024).toFixed(1)} KB, ${(totalGzip / 1024).toFixed(1)} KB gzipped (budget 500 KB gzipped)\n`);
      if (totalGzip > 500 * 1024) throw new Error(`The console's initial load is ${(totalGzip / 1024).toFixed(1)} KB gzipped, over the 500 KB budget.`);
    },
  };
}

/** During `vite` (dev), runs the Herald server with reload (tsx watch) on API_PORT. */
function heraldServer(): Plugin {
  let child: ChildProcess | null = null;
  return {
    name: 'herald-dev-server',
    apply: 'serve',
    configureServer(server) {
      // HERALD_DEV_SERVER=off: a Herald server already runs on HERALD_DEV_API_PORT.
      if (process.env.HERALD_DEV_SERVER === 'off') return;
      child = spawn(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'watch', 'src/cli/main.ts', 'serve'], {
        stdio: 'inherit',
        env: { ...process.env, PORT: String(API_PORT), HERALD_BASE_URL: process.env.HERALD_BASE_URL ?? `http://localhost:${server.config.server.port ?? 5173}` },
      });
      const stop = () => child?.kill('SIGTERM');
      server.httpServer?.on('close', stop);
      process.once('exit', stop);
    },
  };
}

const serverPaths = ['/api', '/hooks', '/status', '/setup', '/healthz', '/readyz', '/metrics'];

export default defineConfig({
  root: 'src/ui',
  publicDir: 'public',
  plugins: [react(), compressAndReport(), heraldServer()],
  build: {
    outDir: `../../${OUT_DIR}`,
    emptyOutDir: true,
    reportCompressedSize: true,
    chunkSizeWarningLimit: 800,
    sourcemap: false,
  },
  server: {
    port: 5173,
    proxy: Object.fromEntries(serverPaths.map((p) => [p, { target: `http://localhost:${API_PORT}`, changeOrigin: false }])),
  },
});
