import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { postGraphQL } from "../support/graphql-client.js";
import { startTestServer, type TestServer } from "../support/server.js";

// GRAPHQL_INTROSPECTION and GRAPHQL_IDE are separate settings: turning the IDE on in production must not
// open introspection (the schema) to every caller.

const INTROSPECTION = "{ __schema { queryType { name } } }";

async function introspects(server: TestServer): Promise<boolean> {
  const response = await postGraphQL(server.url, { query: INTROSPECTION });
  if (response.status === 200) return true;
  expect(response.status).toBe(400);
  expect(JSON.stringify(response.body.errors)).toMatch(/introspection is not allowed/);
  return false;
}

const openIde = (server: TestServer) => fetch(`${server.url}/graphql`, { headers: { accept: "text/html" } });

describe("over HTTP", () => {
  const servers: Record<string, TestServer> = {};
  beforeAll(async () => {
    const envs = {
      productionWithIde: { NODE_ENV: "production", GRAPHQL_IDE: "on" },
      productionWithIntrospection: { NODE_ENV: "production", GRAPHQL_INTROSPECTION: "on" },
      developmentWithout: { GRAPHQL_INTROSPECTION: "off" },
    };
    for (const [name, env] of Object.entries(envs)) servers[name] = await startTestServer({ env });
  });
  afterAll(() => Promise.all(Object.values(servers).map((server) => server.close())));

  it("NODE_ENV=production with GRAPHQL_IDE=on serves the IDE and keeps introspection off", async () => {
    const server = servers.productionWithIde!;
    expect((await openIde(server)).headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await introspects(server)).toBe(false);
  });

  it("GRAPHQL_INTROSPECTION=on turns it on in production, without the IDE", async () => {
    const server = servers.productionWithIntrospection!;
    expect(await introspects(server)).toBe(true);
    expect((await openIde(server)).headers.get("content-type")).not.toContain("html");
  });

  it("GRAPHQL_INTROSPECTION=off turns it off outside production", async () => {
    expect(await introspects(servers.developmentWithout!)).toBe(false);
  });
});

describe("defaults", () => {
  it.each([
    { env: {}, introspection: true, ide: true },
    { env: { NODE_ENV: "production" }, introspection: false, ide: false },
    { env: { NODE_ENV: "production", GRAPHQL_IDE: "on" }, introspection: false, ide: true },
    { env: { GRAPHQL_IDE: "off" }, introspection: true, ide: false },
  ])("$env → introspection $introspection, IDE $ide", ({ env, introspection, ide }) => {
    expect(loadConfig(env)).toMatchObject({ graphqlIntrospection: introspection, graphqlIde: ide });
  });
});
