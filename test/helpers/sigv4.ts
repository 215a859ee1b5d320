import { createHash, createHmac } from 'node:crypto';

/**
 * An independent AWS SigV4 query-string ("presigned URL") signature check, written from
 * the AWS documentation rather than from the minio package: s3rver never verifies
 * signatures, so tests recompute them. Header values are the bytes the client sends.
 */
export function expectedPresignSignature(url: string, method: string, headers: Record<string, string | Buffer>, secretKey: string): string {
  const parsed = new URL(url);
  const params = parsed.search
    .slice(1)
    .split('&')
    .map((pair) => pair.split('=').map((part) => decodeURIComponent(part)) as [string, string])
    .filter(([name]) => name !== 'X-Amz-Signature');
  const query = params
    .map(([name, value]) => [rfc3986(name), rfc3986(value)])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const get = (name: string) => params.find(([n]) => n === name)?.[1] ?? '';
  const signedNames = get('X-Amz-SignedHeaders').split(';');
  const lower = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), Buffer.from(value as string)]));
  lower.host ??= Buffer.from(parsed.host);
  // Canonical headers: lower-case name, value trimmed with inner whitespace runs collapsed.
  const headerLines = signedNames.map((name) => {
    if (!lower[name]) throw new Error(`signed header ${name} is not sent`);
    const value = Buffer.from(lower[name].toString('latin1').trim().replace(/\s+/g, ' '), 'latin1');
    return Buffer.concat([Buffer.from(`${name}:`), value, Buffer.from('\n')]);
  });
  const canonicalRequest = Buffer.concat([
    Buffer.from(`${method}\n${parsed.pathname}\n${query}\n`),
    ...headerLines,
    Buffer.from(`\n${signedNames.join(';')}\nUNSIGNED-PAYLOAD`),
  ]);
  const [, date, region, service, terminator] = get('X-Amz-Credential').split('/');
  const scope = `${date}/${region}/${service}/${terminator}`;
  const stringToSign = ['AWS4-HMAC-SHA256', get('X-Amz-Date'), scope, sha256Hex(canonicalRequest)].join('\n');
  let key: Buffer = Buffer.from(`AWS4${secretKey}`);
  for (const part of [date, region, service, terminator]) key = hmac(key, part);
  return hmac(key, stringToSign).toString('hex');
}

const sha256Hex = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer, data: string) => createHmac('sha256', key).update(data).digest();
const rfc3986 = (text: string) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
