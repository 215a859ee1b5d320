import { fileURLToPath } from 'node:url';

/** Where `npm run build` writes the pages and bundles (gitignored), and where the app serves them from. */
export const webOutDir = fileURLToPath(new URL('../dist/web/', import.meta.url));

/** Bundles live under this sub-folder and are served at `/assets/<name>`. */
export const assetsSubdir = 'assets';

/** Page templates, bundled beside their entry point and rendered to `<page>.html`. */
export const pages = ['dashboard', 'volunteer'] as const;
export type PageName = (typeof pages)[number];
