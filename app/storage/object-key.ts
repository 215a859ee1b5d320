import { badRequest } from '../errors.js';

const maxKeyLength = 1024;

/**
 * Throws a 400 unless `key` is a plain relative path of non-empty segments that cannot
 * leave the store's root: no `.`/`..` or other dot-led segment (the embedded store keeps
 * its temp files under a dot-led folder), no absolute path, backslash, NUL or control
 * character. Object keys come from `keys` with validated ids, so a rejected key means a
 * crafted URL.
 */
export function assertSafeKey(key: string): void {
  const problem =
    key.length === 0 || key.length > maxKeyLength
      ? `must be 1 to ${maxKeyLength} characters`
      : /[\u0000-\u001f\u007f\\]/.test(key)
        ? 'must not contain control characters or backslashes'
        : key.split('/').some((segment) => segment === '' || segment.startsWith('.'))
          ? 'must be relative, with no empty or dot-led segments'
          : null;
  if (problem) throw badRequest(`Invalid object key: it ${problem}.`, 'invalid_key');
}
