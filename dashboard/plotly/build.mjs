// Builds ../assets/plotly.min.js: plotly.js registering only the trace types the dashboard draws.
//
//     cd dashboard/plotly && npm ci && npm run build
//
// plotly.js's documented route for a bundle of some trace types (README "Bundles" / BUILDING.md, and its
// lib/index-basic.js): require plotly.js/lib/core, register the trace modules from plotly.js/lib/, bundle.
// The esbuild settings are those of plotly.js's own build (esbuild-config.js in the plotly.js package),
// minified as its dist/plotly.min.js. The plotly.js version in package.json must be the one the Python
// plotly package ships (plotly/package_data/plotly.min.js; tests/test_plotly_bundle.py checks it).
//
// Dash: a plotly.js in the assets folder defines window.Plotly before the renderer starts, and dcc.Graph uses
// it instead of loading the full bundle of the plotly package.

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

// The trace types dashboard/figures.py draws. scatter is part of plotly.js's core, always registered.
export const TRACES = ['bar', 'heatmap', 'choroplethmap'];

const here = path.dirname(fileURLToPath(import.meta.url));
const outfile = process.env.PLOTLY_BUNDLE_OUT || path.join(here, '..', 'assets', 'plotly.min.js');  // another place: the tests
const version = JSON.parse(readFileSync(path.join(here, 'node_modules', 'plotly.js', 'package.json'), 'utf8')).version;

const entry = [
    "var Plotly = require('plotly.js/lib/core');",
    `Plotly.register([${TRACES.map((t) => `require('plotly.js/lib/${t}')`).join(', ')}]);`,
    'module.exports = Plotly;',
].join('\n');

// plotly.js injects the CSS it requires (maplibre-gl's) as a <style> element, as its own build does with
// esbuild-plugin-inline-css; here with an id that does not depend on the folder it was built in.
const inlineCss = {
    name: 'inline-css',
    setup(build) {
        build.onLoad({ filter: /\.css$/ }, (args) => {
            const css = readFileSync(args.path, 'utf8');
            const id = 'plotly-css-' + path.relative(path.join(here, 'node_modules'), args.path).replace(/[^\w-]+/g, '-');
            return {
                loader: 'js',
                contents: `(function(){if(!document.getElementById(${JSON.stringify(id)})){` +
                    "var e=document.createElement('style');" +
                    `e.id=${JSON.stringify(id)};e.textContent=${JSON.stringify(css)};document.head.appendChild(e);}})();`,
            };
        });
    },
};

const result = await esbuild.build({
    stdin: { contents: entry, resolveDir: here, sourcefile: 'plotly-dashboard.js', loader: 'js' },
    outfile,
    format: 'iife',
    globalName: 'Plotly',
    bundle: true,
    minify: true,
    sourcemap: false,
    legalComments: 'eof',
    plugins: [inlineCss],
    define: { global: 'window', 'define.amd': 'false', 'process.env.NODE_DEBUG': 'false' },
    target: 'es2016',
    banner: {
        js: `/**\n* plotly.js v${version} (${['scatter', ...TRACES].join(', ')})\n* Copyright 2012-2026, Plotly, Inc.\n` +
            '* All rights reserved.\n* Licensed under the MIT license\n' +
            '* Built by dashboard/plotly/build.mjs: cd dashboard/plotly && npm ci && npm run build\n*/',
    },
    footer: { js: 'window.Plotly = Plotly;' },
    logLevel: 'info',
    metafile: true,
});

const bytes = readFileSync(outfile).length;
console.log(`wrote ${path.relative(process.cwd(), outfile)}: plotly.js v${version}, traces ${['scatter', ...TRACES].join(', ')}, ${(bytes / 1024).toFixed(0)} KB`);
if (process.env.PLOTLY_BUNDLE_META) writeFileSync(process.env.PLOTLY_BUNDLE_META, JSON.stringify(result.metafile));
