import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import formatsPlugin from "ajv-formats";
import { expect } from "vitest";

/** The parts of the served OpenAPI document the tests read. */
export interface OpenApiDocument {
  openapi: string;
  info: { license?: { name: string; identifier?: string } };
  servers?: { url: string }[];
  components: {
    securitySchemes: Record<string, Record<string, string>>;
    schemas: Record<string, object>;
  };
  security: Record<string, string[]>[];
  paths: Record<string, Record<string, OpenApiOperation>>;
}
export interface OpenApiParameter {
  name: string;
  in: string;
  required: boolean;
  schema: object;
  example?: unknown;
}
export interface OpenApiOperation {
  operationId: string;
  parameters: OpenApiParameter[];
  requestBody?: {
    required?: boolean;
    content: Record<string, { schema: object; example?: unknown }>;
  };
  responses: Record<
    string,
    {
      description: string;
      headers?: Record<string, unknown>;
      content: { "application/json": { schema: object; example?: unknown } };
    }
  >;
}

export async function fetchOpenApiDocument(baseUrl: string): Promise<OpenApiDocument> {
  const response = await fetch(`${baseUrl}/openapi.json`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  return (await response.json()) as OpenApiDocument;
}

/** Ajv for the OpenAPI 3.1 dialect (JSON Schema 2020-12), with the document's `int64` format. */
export function openApiAjv(options: { strict: boolean } = { strict: false }): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, allowUnionTypes: true, ...options });
  formatsPlugin.default(ajv);
  ajv.addFormat("int64", { type: "number", validate: Number.isSafeInteger });
  return ajv;
}

/** A schema with its `#/components/schemas/…` references replaced by what they name. */
export function resolveRefs(document: OpenApiDocument, schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map((item) => resolveRefs(document, item));
  if (typeof schema !== "object" || schema === null) return schema;
  const { $ref } = schema as { $ref?: unknown };
  if (typeof $ref === "string") {
    const name = /^#\/components\/schemas\/(.+)$/.exec($ref)?.[1];
    const target = name === undefined ? undefined : document.components.schemas[name];
    expect(target, `${$ref} names a schema of the document`).toBeDefined();
    return resolveRefs(document, target);
  }
  return Object.fromEntries(
    Object.entries(schema).map(([key, value]) => [key, resolveRefs(document, value)]),
  );
}

/**
 * Checks a response body against the schema the served document gives for its path, method and status,
 * so the document and the server cannot drift apart unnoticed.
 */
export function responseValidator(document: OpenApiDocument) {
  const ajv = openApiAjv();
  const compiled = new Map<string, ValidateFunction>();
  return (method: string, path: string, status: number, body: unknown): void => {
    const where = `${method.toUpperCase()} ${path} ${status}`;
    const schema =
      document.paths[path]?.[method]?.responses[String(status)]?.content["application/json"].schema;
    expect(schema, `the document describes ${where}`).toBeDefined();
    let validate = compiled.get(where);
    if (!validate) {
      validate = ajv.compile(resolveRefs(document, schema) as object);
      compiled.set(where, validate);
    }
    const valid = validate(body);
    expect(valid, `${where}: ${ajv.errorsText(validate.errors)}`).toBe(true);
  };
}

/** A request as sent: the path with its query string, the headers and the body. */
export interface SentRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/**
 * What a gateway validating requests against the served document (such as Prism) would object to in a
 * request: its parameters, its body and its credentials. An empty list: the document accepts it.
 */
export function requestValidator(document: OpenApiDocument) {
  const ajv = openApiAjv();
  const problemsOf = (schema: object, value: unknown, where: string): string[] => {
    const validate = ajv.compile(resolveRefs(document, schema) as object);
    return validate(value) ? [] : [`${where} ${ajv.errorsText(validate.errors, { dataVar: "" })}`];
  };
  return (documentedPath: string, request: SentRequest): string[] => {
    const method = request.method.toLowerCase();
    const operation = document.paths[documentedPath]?.[method];
    expect(operation, `the document describes ${method.toUpperCase()} ${documentedPath}`).toBeDefined();
    const url = new URL(request.path, "http://localhost");
    const pathValues = matchPath(documentedPath, url.pathname);
    expect(pathValues, `${url.pathname} is an instance of ${documentedPath}`).not.toBeNull();
    const headers = new Map(
      Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), value]),
    );
    const valueOf = ({ name, in: location }: OpenApiParameter): string | undefined => {
      if (location === "path") return pathValues![name];
      if (location === "query") return url.searchParams.get(name) ?? undefined;
      return headers.get(name.toLowerCase());
    };

    const problems: string[] = [];
    for (const parameter of operation!.parameters) {
      const raw = valueOf(parameter);
      const where = `${parameter.in} parameter ${parameter.name}`;
      if (raw === undefined) {
        if (parameter.required) problems.push(`${where} is required`);
        continue;
      }
      problems.push(...problemsOf(parameter.schema, parameterValue(parameter.schema, raw), where));
    }

    const body = request.body ?? "";
    if (body.length === 0) {
      if (operation!.requestBody?.required) problems.push("the request body is required");
    } else {
      const mediaType = headers.get("content-type")?.split(";")[0]?.trim().toLowerCase() ?? "";
      const content = operation!.requestBody?.content[mediaType];
      if (!content) {
        problems.push(`a request body of type "${mediaType}" is not described`);
      } else {
        let value: unknown;
        try {
          value = JSON.parse(body);
          problems.push(...problemsOf(content.schema, value, "the request body"));
        } catch {
          problems.push("the request body is not JSON");
        }
      }
    }

    if (!(document.security ?? []).some((requirement) => isMet(document, requirement, headers))) {
      problems.push("no credential the document's security requirements accept");
    }
    return problems;
  };
}

/** Path parameter values, when `path` is an instance of the template; null otherwise. */
function matchPath(template: string, path: string): Record<string, string> | null {
  const names: string[] = [];
  const pattern = template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{(\w+)\}/g, (_m, name) => {
    names.push(name as string);
    return "([^/]+)";
  });
  const match = new RegExp(`^${pattern}$`).exec(path);
  if (!match) return null;
  return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1]!)]));
}

/** As OpenAPI's simple style reads it: a decimal integer string is a number where the schema wants one. */
function parameterValue(schema: object, raw: string): unknown {
  const { type } = schema as { type?: unknown };
  if ((type === "integer" || type === "number") && /^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  return raw;
}

function isMet(
  document: OpenApiDocument,
  requirement: Record<string, string[]>,
  headers: ReadonlyMap<string, string>,
): boolean {
  return Object.keys(requirement).every((name) => {
    const scheme = document.components.securitySchemes[name];
    if (scheme?.type === "http" && scheme.scheme === "bearer") {
      return /^Bearer\s+\S+/i.test(headers.get("authorization") ?? "");
    }
    if (scheme?.type === "apiKey" && scheme.in === "header") return headers.has(scheme.name!.toLowerCase());
    return false;
  });
}
