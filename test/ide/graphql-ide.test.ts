import { readFileSync } from "node:fs";
import { request } from "node:http";
import { createRequire } from "node:module";
import { join } from "node:path";
import {
  buildSchema,
  Kind,
  parse,
  validate,
  type FragmentDefinitionNode,
  type GraphQLUnionType,
  type SelectionSetNode,
} from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IDE_TABS } from "../../src/http/graphql-ide-page.js";
import { prefersHtml } from "../../src/http/graphql-ide.js";
import { projectRoot } from "../../src/paths.js";
import { startTestServer, type TestServer } from "../support/server.js";

/** What Chromium sends when navigating to a page. */
const BROWSER_ACCEPT =
  "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8";

function openIde(url: string): Promise<Response> {
  return fetch(`${url}/graphql`, { headers: { accept: BROWSER_ACCEPT } });
}

function assetPaths(page: string): string[] {
  return [...page.matchAll(/(?:href|src)="(\/graphql\/ide\/[^"]+)"/g)].map((match) => match[1] ?? "");
}

/** GET with the path sent byte for byte: fetch would resolve `..` and `%2e%2e` before sending. */
function rawGet(url: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    request({ hostname, port, path }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    })
      .on("error", reject)
      .end();
  });
}

describe("GET /graphql with the IDE on", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it("serves the IDE page to a browser, with only same-origin resources allowed", async () => {
    const response = await openIde(server.url);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("vary")).toMatch(/accept/i);
    expect(response.headers.get("content-security-policy")).toContain("default-src 'self'");
    const page = await response.text();
    expect(page).toContain('<div id="graphiql"');
    expect(page).toContain("ResendByInvitationId");
    expect(page).not.toMatch(/(?:href|src)="(?:https?:)?\/\//);
  });

  it("serves each asset from the installed packages, cacheable forever under a content-hashed name", async () => {
    const paths = assetPaths(await (await openIde(server.url)).text());
    expect(paths).toHaveLength(5);
    for (const path of paths) {
      const response = await fetch(server.url + path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get("content-type"), path).toMatch(/^text\/(javascript|css); charset=utf-8$/);
      expect(response.headers.get("cache-control"), path).toBe("public, max-age=31536000, immutable");
      expect(response.headers.get("x-content-type-options"), path).toBe("nosniff");
    }
    const reactPath = paths.find((path) => path.includes("/react.production.min."));
    const reactFile = join(
      createRequire(import.meta.url).resolve("react/package.json"),
      "..",
      "umd/react.production.min.js",
    );
    expect(await (await fetch(server.url + reactPath)).text()).toBe(readFileSync(reactFile, "utf8"));
  });

  it("still answers GraphQL clients at GET /graphql (JSON or */* accepted)", async () => {
    for (const accept of ["application/graphql-response+json, application/json", "*/*"]) {
      const response = await fetch(`${server.url}/graphql?query=${encodeURIComponent("{ __typename }")}`, {
        headers: { accept, "apollo-require-preflight": "true" },
      });
      expect(response.status, accept).toBe(200);
      expect(await response.json(), accept).toEqual({ data: { __typename: "Query" } });
    }
  });

  it("refuses any asset path that is not one of its own names", async () => {
    const packageJson = readFileSync(join(projectRoot, "package.json"), "utf8");
    for (const path of [
      "/graphql/ide/../../package.json",
      "/graphql/ide/..%2F..%2Fpackage.json",
      "/graphql/ide/%2e%2e/%2e%2e/package.json",
      "/graphql/ide/..%5c..%5cpackage.json",
      "/graphql/ide/graphiql.min.js",
      "/graphql/ide/",
    ]) {
      const response = await rawGet(server.url, path);
      expect(response.status, path).toBe(404);
      expect(response.body, path).not.toContain(packageJson.slice(0, 40));
    }
  });
});

describe("GET /graphql in production", () => {
  let withoutIde: TestServer;
  let withIde: TestServer;
  beforeAll(async () => {
    withoutIde = await startTestServer({ env: { NODE_ENV: "production" } });
    withIde = await startTestServer({ env: { NODE_ENV: "production", GRAPHQL_IDE: "on" } });
  });
  afterAll(async () => {
    await withoutIde.close();
    await withIde.close();
  });

  it("answers a browser as Apollo does, with no IDE and no assets", async () => {
    const browser = await openIde(withoutIde.url);
    const client = await fetch(`${withoutIde.url}/graphql`, { headers: { accept: "application/json" } });
    expect(browser.headers.get("content-type")).not.toContain("html");
    expect(browser.status).toBe(client.status);
    expect(await browser.text()).toBe(await client.text());
    for (const path of assetPaths(await (await openIde(withIde.url)).text())) {
      expect((await fetch(withoutIde.url + path)).status, path).toBe(404);
    }
  });

  it("serves the IDE when GRAPHQL_IDE=on", async () => {
    const response = await openIde(withIde.url);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await response.text()).toContain('<div id="graphiql"');
  });
});

describe("prefersHtml", () => {
  it.each([
    [BROWSER_ACCEPT, true],
    ["text/html", true],
    ["text/html;q=0.5, application/json", false],
    ["application/json;q=0.5, text/html", true],
    ["text/html, application/json", false],
    ["text/html;q=0", false],
    ["*/*", false],
    ["", false],
    [undefined, false],
  ])("%j → %s", (accept, expected) => {
    expect(prefersHtml(accept)).toBe(expected);
  });
});

describe("the IDE's example operations", () => {
  const schema = buildSchema(readFileSync(join(projectRoot, "schema.graphql"), "utf8"));

  it("are valid against schema.graphql, with JSON variables and the API key header to fill in", () => {
    expect(IDE_TABS).toHaveLength(2);
    for (const tab of IDE_TABS) {
      expect(validate(schema, parse(tab.query)).map((error) => error.message)).toEqual([]);
      expect(JSON.parse(tab.variables)).toBeTypeOf("object");
      expect(JSON.parse(tab.headers)).toEqual({ Authorization: "Bearer <your key>" });
    }
  });

  it("select every field of every error member of the resend result", () => {
    const union = schema.getType("ResendInvitationResult") as GraphQLUnionType;
    const errorMembers = union
      .getTypes()
      .filter((member) => member.getInterfaces().some((implemented) => implemented.name === "UserError"));
    expect(errorMembers.length).toBeGreaterThanOrEqual(11);
    for (const tab of IDE_TABS) {
      const fragment = parse(tab.query).definitions.find(
        (definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION,
      );
      if (!fragment) throw new Error("the example has no ResendOutcome fragment");
      for (const member of errorMembers) {
        const selected = fieldsUnder(fragment.selectionSet, [member.name, "UserError"]);
        expect(selected.sort(), member.name).toEqual(Object.keys(member.getFields()).sort());
      }
    }
  });
});

/** Field names selected by inline fragments on any of `conditions` (top-level fields like __typename aside). */
function fieldsUnder(selectionSet: SelectionSetNode, conditions: readonly string[]): string[] {
  return selectionSet.selections.flatMap((selection) => {
    if (selection.kind !== Kind.INLINE_FRAGMENT) return [];
    if (!conditions.includes(selection.typeCondition?.name.value ?? "")) return [];
    return selection.selectionSet.selections.flatMap((field) =>
      field.kind === Kind.FIELD ? [field.name.value] : [],
    );
  });
}
