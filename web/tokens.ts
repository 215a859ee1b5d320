/** A value of the link's fragment (`#token=...`): never sent to the server by the browser. */
export function fragmentValue(name: string): string | null {
  return new URLSearchParams(location.hash.slice(1)).get(name);
}

/** A token kept for this tab only (sessionStorage), or '' when none is kept. */
export function storedToken(key: string): string {
  return sessionStorage.getItem(key) ?? '';
}

/** Keeps a token for this tab; an empty value forgets it. */
export function rememberToken(key: string, value: string): void {
  if (value) sessionStorage.setItem(key, value);
  else sessionStorage.removeItem(key);
}
