import type { FastifyInstance, RouteOptions } from 'fastify';
import type { TSchema } from '@sinclair/typebox';

/** What a route says about itself for the OpenAPI document (in its `config.openapi`). */
export interface RouteDoc {
  summary?: string;
  /** The schema the route validates its body with (the same TypeBox schema, not a copy). */
  body?: TSchema;
  security?: 'bearer' | 'sigv4' | 'none';
}

interface Collected {
  method: string;
  url: string;
  operation: string | undefined;
  doc: RouteDoc;
}

const faceOf = (url: string) =>
  url.startsWith('/api/2.') ? 'Unity Catalog' : url.startsWith('/delta-sharing') ? 'Delta Sharing' : url.startsWith('/v1/') ? 'Iceberg REST'
    : url === '/' ? 'Glue' : /^\/[A-Z]/.test(url) ? 'Lake Formation' : url.startsWith('/api/v1/audit') ? 'Audit' : url.includes('z') && url.startsWith('/health') ? 'Health' : 'lakegate';

/**
 * One OpenAPI 3.1 document for every HTTP route, collected as routes are registered (fastify's
 * `onRoute`), with request bodies from the very schemas the routes validate with.
 */
export function collectOpenApi(app: FastifyInstance): () => Record<string, unknown> {
  const routes: Collected[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const config = (route.config ?? {}) as { operation?: string; openapi?: RouteDoc };
    for (const method of methods) if (method !== 'HEAD') routes.push({ method: method.toLowerCase(), url: route.url, operation: config.operation, doc: config.openapi ?? {} });
  });
  return () => {
    const paths: Record<string, Record<string, unknown>> = {};
    const used = new Set<string>();
    const camel = (url: string) => url.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''));
    for (const r of routes) {
      if (r.url === '/openapi.json' || r.url === '/docs') continue;
      const path = r.url.replace(/:([A-Za-z_]+)/g, '{$1}');
      const params = [...r.url.matchAll(/:([A-Za-z_]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
      const security = r.doc.security ?? (r.url.startsWith('/GetTemporary') ? 'sigv4' : r.url === '/healthz' || r.url === '/readyz' ? 'none' : 'bearer');
      paths[path] ??= {};
      paths[path][r.method] = {
        operationId: (() => {
          // The same operation on several routes (both API versions, shares' permissions) gets the path appended.
          const base = r.operation ?? `${r.method}${camel(r.url)}`;
          const id = used.has(base) ? `${base}_${camel(r.url)}` : base;
          used.add(id);
          return id;
        })(),
        tags: [faceOf(r.url)],
        ...(r.doc.summary ? { summary: r.doc.summary } : {}),
        ...(params.length ? { parameters: params } : {}),
        ...(r.doc.body ? { requestBody: { required: true, content: { 'application/json': { schema: JSON.parse(JSON.stringify(r.doc.body)) } } } } : {}),
        ...(security === 'none' ? { security: [] } : { security: [{ [security]: [] }] }),
        responses: { '200': { description: 'OK' }, '4XX': { description: "A client error, in this face's own error shape" }, '5XX': { description: 'A server error' } },
      };
    }
    return {
      openapi: '3.1.0',
      info: { title: 'lakegate', version: '0.1.0', description: 'Short-lived, downscoped cloud-storage credentials for data lakes, behind the wire APIs clients already speak.' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'A lakegate token (users, service principals) or a Delta Sharing recipient token.' },
          sigv4: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'AWS Signature Version 4 (service lakeformation) with an access key lakegate issued.' },
        },
      },
      paths,
    };
  };
}

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** A plain HTML rendering of the document: no scripts, nothing fetched from elsewhere. */
export function renderDocs(doc: Record<string, unknown>): string {
  const paths = doc['paths'] as Record<string, Record<string, { operationId: string; tags: string[]; summary?: string; requestBody?: unknown }>>;
  const byTag = new Map<string, string[]>();
  for (const [path, methods] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const row = `<tr><td><code>${method.toUpperCase()}</code></td><td><code>${escape(path)}</code></td><td>${escape(op.operationId)}</td><td>${escape(op.summary ?? '')}</td><td>${op.requestBody ? '<details><summary>schema</summary><pre>' + escape(JSON.stringify(op.requestBody, null, 2)) + '</pre></details>' : ''}</td></tr>`;
      const tag = op.tags[0] ?? 'other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), row]);
    }
  }
  const sections = [...byTag].map(([tag, rows]) => `<h2>${escape(tag)}</h2><table><tr><th>method</th><th>path</th><th>operation</th><th>summary</th><th>body</th></tr>${rows.join('')}</table>`);
  return `<!doctype html><html><head><meta charset="utf-8"><title>lakegate API</title><style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}</style></head><body><h1>lakegate API</h1><p>The machine-readable document: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>${sections.join('')}</body></html>`;
}
