import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const optionalToken = z
  .string()
  .min(16, 'must be at least 16 characters')
  .optional();

const ConfigSchema = z.object({
  PORT: port.default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  /** Base of the signed URLs the embedded store hands out; defaults to http://localhost:PORT. */
  PUBLIC_URL: z.url().optional(),
  STORAGE: z.enum(['embedded', 'minio']).default('embedded'),
  MINIO_ENDPOINT: z.string().min(1).default('localhost'),
  MINIO_PORT: port.default(9000),
  MINIO_USE_SSL: flag.default(false),
  MINIO_ACCESS_KEY: z.string().default('minioadmin'),
  MINIO_SECRET_KEY: z.string().default('minioadmin'),
  MINIO_BUCKET: z.string().min(3).default('webml'),
  MINIO_REGION: z.string().min(1).default('us-east-1'),
  URL_EXPIRY_SECONDS: positiveInt.max(7 * 24 * 3600).default(120),
  /** MinIO: how long past its URL's expiry an upload that started in time may still be arriving. */
  MINIO_UPLOAD_GRACE_SECONDS: positiveInt.max(7 * 24 * 3600).default(3600),
  CORS_ORIGINS: z.string().default('*'),
  /** Parser sandbox budget per run. */
  LUA_TIMEOUT_MS: positiveInt.default(30_000),
  LUA_MEMORY_MB: positiveInt.default(256),
  PARSER_CHUNK_BYTES: positiveInt.default(64 * 1024),
  /** Batch runs at once: each runs two parser threads, each with up to LUA_MEMORY_MB of heap. */
  MAX_BATCH_RUNS: positiveInt.default(2),
  /** Largest session (element count of its weights tensor). */
  MAX_PARAMS: positiveInt.default(50_000_000),
  /** Session weights kept hot in memory; least recently used sessions beyond it are dropped (reloaded on use). */
  SESSION_CACHE_MB: positiveInt.default(1024),
  WEBML_ADMIN_TOKEN: optionalToken,
  WEBML_WORKER_TOKEN: optionalToken,
  /** Request-size limits (app/limits.ts): uploads stream, JSON bodies are held in memory. */
  MAX_UPLOAD_BYTES: positiveInt.default(8 * 1024 ** 3),
  MAX_JSON_BYTES: positiveInt.default(1024 * 1024),
  MAX_TENSOR_BYTES: positiveInt.default(512 * 1024 ** 2),
  MAX_HEADER_BYTES: positiveInt.default(16 * 1024),
  MAX_URL_BYTES: positiveInt.default(4096),
  MAX_BATCHES_PER_DATASET: positiveInt.default(100_000),
  MAX_SESSIONS_PER_MODEL: positiveInt.default(100),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** How long SIGTERM waits for in-flight requests before closing their connections. */
  SHUTDOWN_TIMEOUT_MS: positiveInt.default(30_000),
});

export type Config = z.infer<typeof ConfigSchema> & { PUBLIC_URL: string };

export class ConfigError extends Error {}

/** Parses the environment once; a bad value throws a ConfigError naming the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings mean "unset", as they do in most shells' `VAR= cmd`.
  const defined = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = ConfigSchema.safeParse(defined);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const config = parsed.data;
  return { ...config, PUBLIC_URL: (config.PUBLIC_URL ?? `http://localhost:${config.PORT}`).replace(/\/+$/, '') };
}
