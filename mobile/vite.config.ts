// Vite builds the mobile site into dist/, which Django serves: the assets under
// /static/mobile/ (WhiteNoise), index.html from a view at / and at every client route.
import { fileURLToPath, URL } from 'node:url'

import { VantResolver } from '@vant/auto-import-resolver'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import type { Plugin } from 'vite'
import { defineConfig } from 'vitest/config'

// Vant's icon font is a data: URL with a fallback on a third-party CDN. The site loads nothing
// from elsewhere (the CSP's font-src is 'self' data:), so the fallback is dropped.
function vantIconFontLocalOnly(): Plugin {
  return {
    name: 'vant-icon-font-local-only',
    enforce: 'pre',
    transform(code, id) {
      if (!/vant[\\/]es[\\/]icon[\\/]index\.css/.test(id)) return null
      return { code: code.replace(/,\s*url\((["']?)(?:https?:)?\/\/[^)]*\)\s*format\([^)]*\)/g, ''), map: null }
    },
  }
}

// `npm run dev` proxies everything that is Django's to a runserver (make run) on this URL.
const django = process.env.DJANGO_URL ?? 'http://127.0.0.1:8000'
const djangoPaths = ['/api', '/accounts', '/admin', '/workspace', '/i18n', '/static', '/media']

export default defineConfig(({ command }) => ({
  // Built files live under Django's static URL; the dev server serves the app at its root.
  base: command === 'build' ? '/static/mobile/' : '/',
  plugins: [
    vue(),
    vantIconFontLocalOnly(),
    // Vant's components and their styles are imported where a template uses them.
    Components({ resolvers: [VantResolver()], dts: 'src/components.d.ts' }),
  ],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  build: { outDir: 'dist', emptyOutDir: true },
  server: {
    proxy: Object.fromEntries(djangoPaths.map((path) => [path, { target: django }])),
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.spec.ts'],
    // A component's test imports the Vant components its template uses, with their CSS.
    server: { deps: { inline: ['vant'] } },
  },
}))
