import { Ajv, type ValidateFunction } from "ajv";
import type { FastifySchemaCompiler, FastifySchemaValidationError } from "fastify";
import { isUuid } from "../invitations/entity-ref.js";
import type { FieldError } from "../invitations/errors.js";
import type { JsonSchema, ParameterLocation, ParameterSpec } from "./rest-operation.js";

// Ajv without type coercion: Fastify's default would read "0x10" or "1e3" as integers. Integers are
// recognised only in plain decimal (below), and request values stay strings for the service to parse.
const ajv = new Ajv({ allErrors: true });
ajv.addFormat("uuid", isUuid);
ajv.addFormat("int64", { type: "number", validate: Number.isSafeInteger });

const DECIMAL_INTEGER = /^-?(0|[1-9][0-9]*)$/;

/**
 * Fastify validator for path, query and header parameters. It checks; it never rewrites the request. Each is
 * compiled on its route's first request rather than at start-up, where compiling them all took a tenth.
 */
export const compileParameterValidator: FastifySchemaCompiler<JsonSchema> = ({ schema }) => {
  let validate: ValidateFunction | undefined;
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const integerNames = Object.keys(properties).filter((name) => properties[name]!.type === "integer");
  return (data: unknown) => {
    validate ??= ajv.compile(schema);
    return validate(withDecimalIntegers(integerNames, data)) ? true : { error: validate.errors ?? [] };
  };
};

/** A copy of the parameters where decimal strings of integer-typed ones are numbers. */
function withDecimalIntegers(integerNames: readonly string[], data: unknown): unknown {
  if (integerNames.length === 0 || typeof data !== "object" || data === null) return data;
  const copy: Record<string, unknown> = { ...data };
  for (const name of integerNames) {
    const value = copy[name];
    if (typeof value === "string" && DECIMAL_INTEGER.test(value)) copy[name] = Number(value);
  }
  return copy;
}

const LOCATION_OF_PART: Readonly<Record<string, ParameterLocation>> = {
  params: "path",
  querystring: "query",
  headers: "header",
};

/** Turns Fastify's validation error into field errors that name the documented parameters. */
export function fieldErrorsOf(
  validationError: { validation: unknown; validationContext: string },
  parameters: readonly ParameterSpec[],
): FieldError[] {
  const location = LOCATION_OF_PART[validationError.validationContext] ?? validationError.validationContext;
  const issues = validationError.validation as readonly FastifySchemaValidationError[];
  const byParameter = new Map<string, FieldError>();
  for (const issue of issues) {
    const missing = issue.keyword === "required" ? String(issue.params.missingProperty) : null;
    const key = missing ?? issue.instancePath.split("/")[1] ?? "";
    const spec = parameters.find((p) => p.in === location && p.name.toLowerCase() === key.toLowerCase());
    const name = spec?.name ?? key;
    const message = missing !== null ? "is required" : (spec?.expectation ?? issue.message ?? "is invalid");
    if (!byParameter.has(name)) byParameter.set(name, { path: [location, name], message });
  }
  return [...byParameter.values()];
}
