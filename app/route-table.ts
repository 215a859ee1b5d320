/** One row of a method+path table: `:name` matches one path segment, a trailing `*` anything below. */
export interface RouteRule {
  /** An HTTP method, several, or '*' for any. */
  method: string | string[];
  /** '/model/:id/session', '/blobs/*', or '*' for every path. */
  pattern: string;
}

function compilePattern(pattern: string): RegExp {
  if (pattern === '*') return /^/;
  const body = pattern
    .split('/')
    .map((part) => (part === '*' ? '.*' : part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${body}$`);
}

/** Builds a lookup returning the first rule of `rules` matching a request, or undefined. */
export function routeTable<Rule extends RouteRule>(rules: Rule[]): (method: string, path: string) => Rule | undefined {
  const compiled = rules.map((rule) => ({ rule, regex: compilePattern(rule.pattern) }));
  return (method, path) => {
    const verb = method.toUpperCase();
    const methodMatches = (m: string | string[]) => m === '*' || (Array.isArray(m) ? m.includes(verb) : m === verb);
    return compiled.find(({ rule, regex }) => methodMatches(rule.method) && regex.test(path))?.rule;
  };
}
