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

/** Methods a table keeps a rule list for; past it (odd methods sent in-process) lists are rebuilt per call. */
const maxMethods = 32;

/** Builds a lookup returning the first rule of `rules` matching a request, or undefined. */
export function routeTable<Rule extends RouteRule>(rules: Rule[]): (method: string, path: string) => Rule | undefined {
  const compiled = rules.map((rule) => ({ rule, regex: compilePattern(rule.pattern) }));
  const methodMatches = (m: string | string[], verb: string) => m === '*' || (Array.isArray(m) ? m.includes(verb) : m === verb);
  // The rules of each method, in table order: a lookup only tries paths of rules its method can match.
  const byMethod = new Map<string, typeof compiled>();
  const rulesFor = (verb: string) => {
    let list = byMethod.get(verb);
    if (!list) {
      list = compiled.filter(({ rule }) => methodMatches(rule.method, verb));
      if (byMethod.size < maxMethods) byMethod.set(verb, list);
    }
    return list;
  };
  return (method, path) => {
    for (const { rule, regex } of rulesFor(method.toUpperCase())) if (regex.test(path)) return rule;
    return undefined;
  };
}

/**
 * The app's upload routes: each answers a 307 to a signed URL (or an error) without reading
 * the request body, which goes to the signed URL instead.
 */
export const uploadRoutes: RouteRule[] = [
  { method: 'PUT', pattern: '/model/:id' },
  { method: 'PUT', pattern: '/parser' },
  { method: 'PUT', pattern: '/parser/:id' },
  { method: 'PUT', pattern: '/model/:model/data' },
  { method: 'PUT', pattern: '/model/:model/data/:id' },
  { method: 'PUT', pattern: '/model/:model/labels' },
  { method: 'PUT', pattern: '/model/:model/labels/:id' },
];
