import type { IncomingHttpHeaders } from "node:http";
import type { HttpFailure } from "../http/http-errors.js";
import type { FieldError } from "../invitations/errors.js";
import type { ResendRefusal } from "./refusals.js";

/** RFC 9110: a 401 names the scheme that would be accepted; the OpenAPI document states it too. */
export const WWW_AUTHENTICATE = 'Bearer realm="invitations"';

/** A JSON Schema, written once and used by Fastify (validation, serialization) and by /openapi.json. */
export type JsonSchema = Readonly<Record<string, unknown>>;

export type ParameterLocation = "path" | "query" | "header";

export interface ParameterSpec {
  /** As the document spells it, e.g. `id` or `X-Tenant-ID`. */
  readonly name: string;
  readonly in: ParameterLocation;
  readonly required: boolean;
  readonly description: string;
  readonly schema: JsonSchema;
  /** Completes "<name> ..." in a 400 message, e.g. "must be a positive integer". */
  readonly expectation: string;
  /** The value the document's own example sends, where it has one. */
  readonly example?: unknown;
}

/** A schema the OpenAPI document lists once under `components/schemas` and references by `$ref`. */
export interface NamedSchema {
  readonly name: string;
  readonly schema: JsonSchema;
}

export interface ResponseSpec {
  readonly description: string;
  readonly body: NamedSchema;
  readonly example?: unknown;
}

/** The body a request may carry: none of the documents reads one, but their clients send `{}`. */
export interface RequestBodySpec {
  readonly description: string;
  readonly schema: JsonSchema;
  readonly example?: unknown;
}

/** The request as an adapter sees it. Parameter values are the raw strings: the service parses ids. */
export interface RestRequest {
  readonly id: string;
  readonly params: Readonly<Record<string, string | undefined>>;
  readonly query: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly headers: IncomingHttpHeaders;
  /** What broke the parameter schemas; null when the request has its document's shape. */
  readonly fieldErrors: readonly FieldError[] | null;
}

/** What an adapter answers. `retryAfterSeconds` becomes the `Retry-After` header (every 429 has one). */
export interface RestReply {
  readonly status: number;
  readonly body: unknown;
  readonly retryAfterSeconds?: number;
  /** The body holds a secret (an accept link): answered with `Cache-Control: no-store`. */
  readonly confidential?: boolean;
}

/** One documented REST operation: everything Fastify and the OpenAPI document need, and its adapter. */
export interface RestOperation {
  readonly method: "POST" | "PUT";
  /** OpenAPI path templates (`/users/{id}`); more than one when the document shows an alias. */
  readonly routes: readonly { readonly path: string; readonly operationId: string }[];
  readonly tag: string;
  readonly summary: string;
  readonly description: string;
  readonly parameters: readonly ParameterSpec[];
  readonly requestBody: RequestBodySpec;
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  handle(request: RestRequest): Promise<RestReply>;
  /** A service refusal in the document's shape; also renders the request limit's 429 as a resend's. */
  refuse(refusal: ResendRefusal): RestReply;
  /** The document's error body for failures outside the service (413, 415, 500). */
  failureBody(failure: HttpFailure): unknown;
}
