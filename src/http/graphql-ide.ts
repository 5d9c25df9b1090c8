import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { basename, dirname, extname, join } from "node:path";
import type { FastifyInstance } from "fastify";
import { projectRoot } from "../paths.js";
import { IDE_CONTENT_SECURITY_POLICY, renderIdePage } from "./graphql-ide-page.js";

const GRAPHQL_PATH = "/graphql";
const ASSETS_PATH = "/graphql/ide/";

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
};

interface Asset {
  readonly url: string;
  readonly body: Buffer;
  readonly contentType: string;
}

/**
 * Serves GraphiQL at GET /graphql to browsers (requests that prefer HTML); GraphQL clients still reach
 * Apollo there. Its files come from our own npm dependencies, served under /graphql/ide/: nothing is
 * fetched from elsewhere, so it works offline.
 */
export async function registerGraphQLIde(app: FastifyInstance): Promise<void> {
  const [react, reactDom, graphiql, graphiqlCss, entry] = await Promise.all([
    loadAsset(packageFile("react", "umd/react.production.min.js")),
    loadAsset(packageFile("react-dom", "umd/react-dom.production.min.js")),
    loadAsset(packageFile("graphiql", "graphiql.min.js")),
    loadAsset(packageFile("graphiql", "graphiql.min.css")),
    loadAsset(join(projectRoot, "browser", "graphql-ide.js")),
  ]);
  const page = renderIdePage(
    { stylesheets: [graphiqlCss.url], scripts: [react.url, reactDom.url, graphiql.url], entry: entry.url },
    GRAPHQL_PATH,
  );

  // GET /graphql stays Apollo's route; a browser's navigation is answered here, before Apollo runs.
  // Callback style: it runs on every request, and an async hook would cost each one a promise.
  app.addHook("onRequest", (request, reply, done) => {
    const browsing =
      request.method === "GET" &&
      request.routeOptions.url === GRAPHQL_PATH &&
      prefersHtml(request.headers.accept);
    if (!browsing) return done();
    void reply
      .type("text/html; charset=utf-8")
      .header("cache-control", "no-cache")
      .header("vary", "accept")
      .header("content-security-policy", IDE_CONTENT_SECURITY_POLICY)
      .header("x-content-type-options", "nosniff")
      .send(page);
  });

  // One static route per file: any other path under /graphql/ide/ has no route, so none reaches the disk.
  for (const asset of [react, reactDom, graphiql, graphiqlCss, entry]) {
    app.get(asset.url, async (_request, reply) =>
      reply
        .type(asset.contentType)
        // The name carries a hash of the content, so a changed file gets a new URL.
        .header("cache-control", "public, max-age=31536000, immutable")
        .header("x-content-type-options", "nosniff")
        .send(asset.body),
    );
  }
}

/**
 * True when the Accept header ranks text/html above JSON, as a browser's navigation does. Ties, `*\/*`
 * (curl) and a missing header go to Apollo, like its own landing page negotiation.
 */
export function prefersHtml(accept: string | undefined): boolean {
  let html = 0;
  let json = 0;
  for (const range of (accept ?? "").split(",")) {
    const [mediaType = "", ...parameters] = range.split(";").map((part) => part.trim().toLowerCase());
    const quality = qualityOf(parameters);
    if (mediaType === "text/html") html = Math.max(html, quality);
    if (mediaType === "application/json" || mediaType === "application/graphql-response+json") {
      json = Math.max(json, quality);
    }
  }
  return html > json;
}

function qualityOf(parameters: readonly string[]): number {
  const q = parameters.find((parameter) => parameter.startsWith("q="));
  const value = q === undefined ? 1 : Number(q.slice(2));
  return Number.isFinite(value) ? value : 0;
}

/** A file of an installed package, found through Node's resolution (package.json is always resolvable). */
function packageFile(packageName: string, file: string): string {
  return join(dirname(createRequire(import.meta.url).resolve(`${packageName}/package.json`)), file);
}

async function loadAsset(file: string): Promise<Asset> {
  const body = await readFile(file);
  const hash = createHash("sha256").update(body).digest("hex").slice(0, 12);
  const extension = extname(file);
  const contentType = CONTENT_TYPES[extension];
  if (contentType === undefined) throw new Error(`no content type for ${file}`);
  return { url: `${ASSETS_PATH}${basename(file, extension)}.${hash}${extension}`, body, contentType };
}
