import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect } from "vitest";
import { projectRoot } from "../../src/paths.js";

/** The address the README's examples use: `npm start`'s default. */
export const README_URL = "http://127.0.0.1:4000";

export function readme(): string {
  return readFileSync(join(projectRoot, "README.md"), "utf8");
}

/** The text of every ```sh block of a Markdown document, in order. */
export function shellBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((match) => match[1]!);
}

/** Every `curl` command of a text, in order, with its `\` continuation lines. */
export function curlCommands(text: string): string[] {
  const commands: string[] = [];
  let current: string[] | null = null;
  for (const line of text.split("\n")) {
    if (current === null && !/^curl\s/.test(line)) continue;
    current = [...(current ?? []), line];
    if (!line.endsWith("\\")) {
      commands.push(current.join("\n"));
      current = null;
    }
  }
  expect(current, "no command ends in a dangling line continuation").toBeNull();
  return commands;
}

export interface CurlResult {
  readonly status: number;
  readonly body: unknown;
}

/** Runs the command with the real curl, in a shell (as pasted), with $KEY set; answers status and JSON body. */
export async function runCurl(command: string, key: string): Promise<CurlResult> {
  const { stdout } = await promisify(execFile)("bash", ["-c", `${command} -w '\\n%{http_code}'`], {
    env: { ...process.env, KEY: key },
    encoding: "utf8",
  });
  const cut = stdout.lastIndexOf("\n");
  return { status: Number(stdout.slice(cut + 1)), body: JSON.parse(stdout.slice(0, cut)) as unknown };
}

/**
 * Why the body is not a success, on any channel: GraphQL `errors`, or a mutation result other than a
 * `…Success` member; 000's and 002's `error`, 002's `isFailure`, 001's and 003's `{code, message}`.
 */
export function failuresIn(body: unknown): string[] {
  if (typeof body !== "object" || body === null) return [];
  const record = body as Record<string, unknown>;
  const found: string[] = [];
  if ("errors" in record) found.push("errors");
  if (record.error !== undefined && record.error !== null) found.push("error");
  if (record.isFailure === true) found.push("isFailure");
  if (typeof record.code === "string" && typeof record.message === "string")
    found.push(`code ${record.code}`);
  const data = record.data;
  if (typeof data === "object" && data !== null) {
    for (const [field, value] of Object.entries(data)) {
      const typename = (value as { __typename?: unknown } | null)?.__typename;
      if (typeof typename === "string" && !typename.endsWith("Success")) found.push(`${field}: ${typename}`);
    }
  }
  return found;
}
