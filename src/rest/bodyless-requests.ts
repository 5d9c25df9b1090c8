import { errorCodes, type FastifyInstance } from "fastify";
import type { RequestBodySpec } from "./rest-operation.js";

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json$/i;

/**
 * The documented operations take no request body. Clients still send one (seed 000's example posts `{}`),
 * or an empty body with any Content-Type (`curl -d ''`). So, within `scope`: an empty body of any type
 * and a JSON body are accepted and ignored; any other body is 415. Bodies are still read, so bodyLimit
 * (413) holds.
 */
export function acceptBodylessRequests(scope: FastifyInstance): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser("*", { parseAs: "buffer" }, (request, body: Buffer, done) => {
    const contentType = request.headers["content-type"];
    const mediaType = contentType?.split(";")[0]?.trim() ?? "";
    if (body.length === 0 || JSON_MEDIA_TYPE.test(mediaType)) return done(null, undefined);
    return done(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE(mediaType || "(none)"));
  });
}

/**
 * How the OpenAPI document states what `acceptBodylessRequests` lets through: an optional JSON body of any
 * value, ignored. Declared so that a gateway validating requests against the document (Prism) lets
 * seed 000's own example, `-d '{}'` with `Content-Type: application/json`, through.
 */
export function ignoredJsonBody(example?: unknown): RequestBodySpec {
  return {
    description:
      "Optional and ignored: the operation takes all its input from the path, query and headers. Any JSON " +
      "value, or no body at all, is accepted; another media type with a non-empty body gets 415.",
    schema: {},
    ...(example !== undefined && { example }),
  };
}
