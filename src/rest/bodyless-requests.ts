import { errorCodes, type FastifyInstance } from "fastify";

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
