// `npm run build`: the widget as an ES module (Plotly split into its own chunk, loaded on first
// draw) and as one classic script for pages without modules. Declarations and the custom
// elements manifest are written by the rest of the build script.
import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    lib: {
      entry: 'widget/realtime-plot.ts',
      name: 'RealtimePlot',
      formats: ['es', 'iife'],
      fileName: (format) => (format === 'es' ? 'realtime-plot.js' : `realtime-plot.${format}.js`),
    },
    rolldownOptions: {
      // Library mode leaves ES output unminified unless asked.
      output: {
        minify: true,
        chunkFileNames: (chunk) => (chunk.moduleIds.some((id) => id.includes('@microsoft/signalr')) ? 'signalr-[hash].js' : '[name]-[hash].js'),
      },
    },
  },
});
