import { readFileSync } from 'node:fs';

/** The parts of a V8 .cpuprofile the summary reads. */
interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string }; children?: number[] }>;
  samples: number[];
}

/** Where CPU time goes in one launch, as the breakdown in BENCHMARKS.md names it. */
export const CATEGORIES = [
  'database: ORM, driver and the queries’ round trips',
  'LTI: id_token signature check (RS256)',
  'LTI: ltijs’s ltik (signed on every launch, never used)',
  'LTI: the rest of ltijs and examgate’s LTI layer',
  'page rendering (nunjucks)',
  'HTTP server, express and its middleware',
  'examgate’s own routes, services and sessions',
  'garbage collection',
  'other (Node.js internals, V8)',
] as const;

export type Category = (typeof CATEGORIES)[number];

const STORAGE_PACKAGES =
  /node_modules\/(sequelize|sequelize-pool|pg|pg-protocol|pg-pool|pg-types|pg-connection-string|postgres-[a-z]+|sqlite3|ltijs-sequelize|retry-as-promised|moment|moment-timezone|lodash|dottie|uuid|wkx|inflection|toposort-class)\//;
const STORAGE_SOURCES = /\/src\/(db\/|.*\.repository\.[jt]s|.*\.model\.[jt]s|lti\/lti-database\.[jt]s|lti\/ltijs-read-cache\.[jt]s)/;
const VERIFY = /node_modules\/(jws|jwa|jsonwebtoken\/verify\.js|rasha)|^node:internal\/crypto\/sig/;
const LTIK = /node_modules\/jsonwebtoken\/sign\.js/;
const LTI = /node_modules\/(ltijs|jsonwebtoken|got)\/|\/src\/lti\//;
const RENDERING = /node_modules\/(nunjucks|a-sync-waterfall|asap)\/|\/src\/web\/views\.[jt]s/;
const HTTP =
  /node_modules\/(express|body-parser|cookie-parser|cookie|cookie-signature|helmet|qs|raw-body|finalhandler|send|parseurl|router|type-is|content-type|media-typer|mime|mime-types|accepts|negotiator|on-finished|depd|iconv-lite|utils-merge|encodeurl|escape-html|fresh|etag|vary|proxy-addr|forwarded|ipaddr\.js|range-parser|statuses|http-errors|merge-descriptors|methods|path-to-regexp|array-flatten|setprototypeof|safe-buffer|side-channel|call-bind)\/|^node:_http_|^node:internal\/http/;
const EXAMGATE = /\/src\//;

function categoryOf(functionName: string, url: string): Category | null {
  if (functionName === '(garbage collector)') {
    return 'garbage collection';
  }
  if (STORAGE_PACKAGES.test(url) || STORAGE_SOURCES.test(url)) {
    return 'database: ORM, driver and the queries’ round trips';
  }
  if (VERIFY.test(url)) {
    return 'LTI: id_token signature check (RS256)';
  }
  if (LTIK.test(url)) {
    return 'LTI: ltijs’s ltik (signed on every launch, never used)';
  }
  if (LTI.test(url)) {
    return 'LTI: the rest of ltijs and examgate’s LTI layer';
  }
  if (RENDERING.test(url)) {
    return 'page rendering (nunjucks)';
  }
  if (HTTP.test(url)) {
    return 'HTTP server, express and its middleware';
  }
  if (EXAMGATE.test(url)) {
    return 'examgate’s own routes, services and sessions';
  }
  return null;
}

export interface ProfileSummary {
  /** Samples taken while the main thread was busy. */
  busySamples: number;
  /** Each category's busy samples. */
  byCategory: Map<Category, number>;
}

/**
 * Sorts every busy sample of a profile into a category: the frame nearest the leaf that
 * belongs to a known part decides (a socket write under the PostgreSQL driver is the
 * database's; the same write under node:http is HTTP's). Idle samples are left out.
 *
 * Samples are counted, not weighed by the time between them: V8 samples on a wall clock, and
 * on a loaded machine a thread that waits for a core takes one late sample carrying all the
 * time it waited, which would charge that wait to whatever it was doing (often a socket
 * write). Counting approximates where the CPU went.
 */
export function summariseProfile(file: string): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) {
      parents.set(child, node.id);
    }
  }
  const categoryOfNode = new Map<number, Category>();
  const resolve = (id: number): Category => {
    const known = categoryOfNode.get(id);
    if (known) {
      return known;
    }
    let found: Category = 'other (Node.js internals, V8)';
    for (let cursor: number | undefined = id; cursor !== undefined; cursor = parents.get(cursor)) {
      const frame = nodes.get(cursor)?.callFrame;
      const category = frame ? categoryOf(frame.functionName, frame.url) : null;
      if (category) {
        found = category;
        break;
      }
    }
    categoryOfNode.set(id, found);
    return found;
  };
  // The bench's own probe (starting and stopping this very profile) is not the tool's work.
  const probe = new Set<number>();
  const isProbe = (id: number): boolean => {
    for (let cursor: number | undefined = id; cursor !== undefined; cursor = parents.get(cursor)) {
      if (probe.has(cursor) || nodes.get(cursor)?.callFrame.url.includes('/bench-tools/')) {
        probe.add(id);
        return true;
      }
    }
    return false;
  };
  const byCategory = new Map<Category, number>(CATEGORIES.map((c) => [c, 0]));
  let busySamples = 0;
  for (const id of profile.samples) {
    const name = nodes.get(id)?.callFrame.functionName;
    if (name === '(idle)' || name === '(root)' || isProbe(id)) {
      continue;
    }
    busySamples += 1;
    const category = resolve(id);
    byCategory.set(category, (byCategory.get(category) ?? 0) + 1);
  }
  return { busySamples, byCategory };
}
