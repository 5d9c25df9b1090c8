import { afterAll, beforeAll, beforeEach } from "vitest";
import { COOLDOWN_SECONDS } from "../support/harness.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { fetchOpenApiDocument, requestValidator, responseValidator } from "./openapi-validator.js";

export interface ValidatedServer {
  readonly server: TestServer;
  /** Checks a response body against the server's own OpenAPI document. */
  readonly checkBody: ReturnType<typeof responseValidator>;
  /** What the server's own OpenAPI document objects to in a request; empty when it accepts it. */
  readonly requestProblems: ReturnType<typeof requestValidator>;
}

/**
 * One test server for the calling file, with validators built from the OpenAPI document it serves. Unless
 * `pastCooldown` is false, the clock moves past the resend cooldown before each test, so tests do not depend
 * on one another's resends.
 */
export function useValidatedServer({ pastCooldown = true } = {}): ValidatedServer {
  const handle: Partial<{ -readonly [K in keyof ValidatedServer]: ValidatedServer[K] }> = {};
  beforeAll(async () => {
    handle.server = await startTestServer();
    const document = await fetchOpenApiDocument(handle.server.url);
    handle.checkBody = responseValidator(document);
    handle.requestProblems = requestValidator(document);
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
    get requestProblems() {
      return handle.requestProblems!;
    },
  };
}
