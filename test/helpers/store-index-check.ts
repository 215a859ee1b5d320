import Database from 'better-sqlite3';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

interface UploadRow {
  key: string;
  status: string;
  size: number | null;
}
interface BatchRow {
  model: string;
  id: string;
  dataset: string;
  count: number;
  ordinal: number;
  dataSize: number;
  labelSize: number;
}

/** Every object file of the embedded store under DATA_DIR/objects, by key (temp files are dot-led and skipped). */
function objectFiles(dataDir: string): Map<string, number> {
  const root = path.join(dataDir, 'objects');
  const files = new Map<string, number>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.set(path.relative(root, full).split(path.sep).join('/'), statSync(full).size);
    }
  };
  walk(root);
  return files;
}

/**
 * Reads the index (read-only, beside the running server) and the objects folder, and
 * returns every disagreement: a ready upload or a batch whose object is missing or of
 * another size, an object no row references, or a model's batch ordinals with holes.
 */
export function indexStoreProblems(dataDir: string): { problems: string[]; batches: BatchRow[] } {
  const db = new Database(path.join(dataDir, 'webml.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const uploads = db
      .prepare(
        `select 'models/' || id as key, status, size from models
         union all select 'parsers/' || id, status, size from parsers
         union all select kind || '/' || model || '/' || id, status, size from datasets`,
      )
      .all() as UploadRow[];
    const batches = db
      .prepare('select model, id, dataset, count, ordinal, data_size as dataSize, label_size as labelSize from batches order by model, ordinal')
      .all() as BatchRow[];
    const files = objectFiles(dataDir);
    const problems: string[] = [];
    const referenced = new Set<string>();
    for (const row of uploads) {
      referenced.add(row.key);
      const size = files.get(row.key);
      if (row.status === 'ready' && size !== row.size) problems.push(`ready ${row.key}: object ${size ?? 'missing'}, index ${row.size}`);
    }
    for (const b of batches) {
      for (const [part, expected] of [['data', b.dataSize], ['labels', b.labelSize]] as const) {
        const key = `batches/${b.model}/${b.id}/${part}`;
        referenced.add(key);
        if (files.get(key) !== expected) problems.push(`batch ${key}: object ${files.get(key) ?? 'missing'}, index ${expected}`);
      }
    }
    for (const key of files.keys()) if (!referenced.has(key)) problems.push(`unreferenced object ${key}`);
    const byModel = new Map<string, BatchRow[]>();
    for (const b of batches) byModel.set(b.model, [...(byModel.get(b.model) ?? []), b]);
    for (const [model, rows] of byModel) {
      const ordinals = rows.map((r) => r.ordinal);
      if (ordinals.some((o, i) => o !== i)) problems.push(`model ${model}: batch ordinals are not 0..${rows.length - 1}`);
    }
    return { problems, batches };
  } finally {
    db.close();
  }
}
