import { mkdirSync } from 'node:fs';
import S3rver from 's3rver';

export interface RunningS3rver {
  port: number;
  close(): Promise<void>;
}

/**
 * Starts s3rver (a real S3 protocol peer) in-process on 127.0.0.1 and an ephemeral port,
 * storing buckets under `dir`, with its logs silenced. It knows one access key, `S3RVER`
 * (secret `S3RVER`), and never verifies SigV4 signatures (only the access key and the
 * expiry), so it proves the protocol, not the security.
 */
export async function startS3rver(dir: string): Promise<RunningS3rver> {
  mkdirSync(dir, { recursive: true });
  const s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir });
  const address = await s3.run();
  return { port: address.port, close: () => s3.close() };
}
