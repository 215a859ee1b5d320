/**
 * Bundles the browser pages with esbuild into dist/web (run by `npm run build`, which
 * `npm start` runs first, and by the browser test). Bundle names carry a content hash so
 * the app can serve them as immutable; the HTML pages name the current ones.
 *
 *   npx tsx web/build.ts
 */
import * as esbuild from 'esbuild';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { assetsSubdir, pages, webOutDir, type PageName } from './out-dir.js';

const sourceDir = path.dirname(fileURLToPath(import.meta.url));

export interface BuildResult {
  outDir: string;
  /** Every file written under assets/, with its size in bytes. */
  assets: Record<string, number>;
  ms: number;
}

/** Builds every page into `outDir` (dist/web by default); throws with esbuild's messages on error. */
export async function buildWeb(outDir = webOutDir): Promise<BuildResult> {
  const started = performance.now();
  const assetsDir = path.join(outDir, assetsSubdir);
  const result = await esbuild.build({
    entryPoints: [...pages.map((page) => path.join(sourceDir, `${page}.ts`)), path.join(sourceDir, 'style.css')],
    bundle: true,
    // Shared code (TF.js above all) goes to chunks both pages load; the dashboard pulls TF.js only when it creates a session.
    format: 'esm',
    splitting: true,
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    outdir: assetsDir,
    entryNames: '[name]-[hash]',
    chunkNames: 'chunk-[hash]',
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  mkdirSync(assetsDir, { recursive: true });
  const assets: Record<string, number> = {};
  for (const file of result.outputFiles) {
    writeAtomically(file.path, file.contents);
    assets[path.basename(file.path)] = file.contents.byteLength;
  }
  const entries = entryOutputs(result.metafile);
  // Pages last, so a page never names a bundle that is not there yet.
  for (const page of pages) writeAtomically(path.join(outDir, `${page}.html`), renderPage(page, entries));
  removeStale(assetsDir, new Set(Object.keys(assets)));
  return { outDir, assets, ms: Math.round(performance.now() - started) };
}

/** Entry source base name (`dashboard`, `style`) to its bundle's file name. */
function entryOutputs(metafile: esbuild.Metafile): Map<string, string> {
  const map = new Map<string, string>();
  for (const [output, info] of Object.entries(metafile.outputs)) {
    if (info.entryPoint) map.set(path.basename(info.entryPoint).replace(/\.(ts|css)$/, ''), path.basename(output));
  }
  return map;
}

/** The page's template with its stylesheet and script tags in place of `<!-- assets -->`. */
function renderPage(page: PageName, entries: Map<string, string>): string {
  const template = readFileSync(path.join(sourceDir, `${page}.html`), 'utf8');
  const asset = (entry: string) => `/${assetsSubdir}/${entries.get(entry)}`;
  const tags = [`<link rel="stylesheet" href="${asset('style')}">`, `<script type="module" src="${asset(page)}"></script>`].join('\n    ');
  if (!template.includes('<!-- assets -->')) throw new Error(`web/${page}.html lacks the <!-- assets --> placeholder`);
  return template.replace('<!-- assets -->', tags);
}

/** A server reading while we write sees the old file or the new one, never half of one. */
function writeAtomically(file: string, contents: Uint8Array | string) {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, contents);
  renameSync(temp, file);
}

/** Bundles of earlier builds: their names (hashes) are no longer referenced by any page. */
function removeStale(dir: string, keep: Set<string>) {
  for (const name of readdirSync(dir)) {
    if (!keep.has(name) && !name.endsWith('.tmp')) rmSync(path.join(dir, name), { force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { outDir, assets, ms } = await buildWeb();
  const total = Object.values(assets).reduce((a, b) => a + b, 0);
  console.log(`web: ${Object.keys(assets).length} bundles (${(total / 1024).toFixed(0)} KiB) in ${path.relative(process.cwd(), outDir)} (${ms} ms)`);
}
