import { afterAll, beforeAll, beforeEach } from "vitest";
import { COOLDOWN_SECONDS } from "../support/harness.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { fetchOpenApiDocument, responseValidator } from "./openapi-validator.js";

export interface ValidatedServer {
  readonly server: TestServer;
  /** Checks a response body against the server's own OpenAPI document. */
  readonly checkBody: ReturnType<typeof responseValidator>;
}

/**
 * One test server for the calling file, with a validator built from the OpenAPI document it serves. Unless
 * `pastCooldown` is false, the clock moves past the resend cooldown before each test, so tests do not depend
 * on one another's resends.
 */
export function useValidatedServer({ pastCooldown = true } = {}): ValidatedServer {
  const handle: { server?: TestServer; checkBody?: ValidatedServer["checkBody"] } = {};
  beforeAll(async () => {
    handle.server = await startTestServer();
    handle.checkBody = responseValidator(await fetchOpenApiDocument(handle.server.url));
  });
  afterAll(() => handle.server?.close());
  if (pastCooldown) beforeEach(() => handle.server!.advance(COOLDOWN_SECONDS * 1000));
  return {
    get server() {
      return handle.server!;
    },
    get checkBody() {
      return handle.checkBody!;
    },
  };
}
