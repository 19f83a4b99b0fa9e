// Builds the process administrators' diagram editor (app/static/js/modeler/) into
// app/static/vendor/modeler/: one script (modeler.js) and one stylesheet (modeler.css, with
// diagram-js, bpmn-js, the properties panel and bpmn-js-bpmnlint styles and the BPMN font).
//
// The lint rules come from the repository's .bpmnlintrc, compiled by bpmnlint's own
// compile-config into a module the bundle imports as "bpmnlint-config:.bpmnlintrc": the editor
// lints with exactly the rules `bpmnlint bpmn/*.bpmn` uses (make lint).
//
// Run by `make assets` after `npm ci`; `node tools/build-modeler.mjs [--dev]` by hand
// (--dev: not minified, with a source map).
import { createRequire } from 'node:module';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import * as esbuild from 'esbuild';

const require = createRequire(import.meta.url);
const compileConfig = require('bpmnlint/lib/support/compile-config');

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = path.join(ROOT, 'app/static/vendor/modeler');
const dev = process.argv.includes('--dev');

// "import lintConfig from 'bpmnlint-config:.bpmnlintrc'" -> the compiled configuration
const bpmnlintConfig = {
  name: 'bpmnlint-config',
  setup(build) {
    build.onResolve({ filter: /^bpmnlint-config:/ }, (args) => ({
      path: path.join(ROOT, args.path.slice('bpmnlint-config:'.length)),
      namespace: 'bpmnlint-config',
    }));
    build.onLoad({ filter: /.*/, namespace: 'bpmnlint-config' }, async (args) => {
      const config = JSON.parse(await readFile(args.path, 'utf8'));
      return { contents: await compileConfig(config), loader: 'js', resolveDir: ROOT, watchFiles: [args.path] };
    });
  },
};

await rm(OUT_DIR, { recursive: true, force: true });
const result = await esbuild.build({
  absWorkingDir: ROOT,
  entryPoints: { modeler: 'app/static/js/modeler/index.js' },
  outdir: OUT_DIR,
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: ['es2020'],
  minify: !dev,
  sourcemap: dev,
  legalComments: 'linked',
  loader: { '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.eot': 'file', '.svg': 'file' },
  assetNames: 'font/[name]-[hash]',
  define: { 'process.env.NODE_ENV': dev ? '"development"' : '"production"' },
  plugins: [bpmnlintConfig],
  metafile: true,
  logLevel: 'warning',
});
const outputs = Object.entries(result.metafile.outputs)
  .map(([file, info]) => `${path.relative(ROOT, file)} (${Math.round(info.bytes / 1024)} KB)`);
console.log(`modeler built: ${outputs.join(', ')}`);
