import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const DEFAULT_DATABASE_FILE = "./data/invitations.db";

/** Where the data lives: an embedded SQLite file, or a PostgreSQL server. */
export type DatabaseLocation =
  | { readonly dialect: "sqlite"; readonly file: string }
  | { readonly dialect: "postgres"; readonly url: string };

/**
 * Reads `DATABASE_URL`: `postgres://` and `postgresql://` name a PostgreSQL database; unset, a path or a
 * `file:` URL name a SQLite file (see resolveDatabaseFile). Errors start with `DATABASE_URL:` and never
 * echo a password.
 */
export function parseDatabaseUrl(value: string | undefined): DatabaseLocation {
  const raw = value?.trim() ?? "";
  const scheme = URL_SCHEME.exec(raw)?.[1]?.toLowerCase();
  if (scheme !== "postgres" && scheme !== "postgresql")
    return { dialect: "sqlite", file: resolveDatabaseFile(raw) };
  const url = URL.canParse(raw) ? new URL(raw) : null;
  if (!url || url.pathname.length <= 1) {
    throw new Error(
      "DATABASE_URL: not a usable PostgreSQL URL; expected postgres://user:password@host:5432/database",
    );
  }
  return { dialect: "postgres", url: raw };
}

/** The location for logs and JSON output: a PostgreSQL URL without its password. */
export function describeLocation(location: DatabaseLocation): string {
  if (location.dialect === "sqlite") return location.file;
  const url = new URL(location.url);
  if (url.password !== "") url.password = "***";
  return url.toString();
}

/** `scheme:` at the start; a single letter is left alone so a Windows drive (`C:\db`) stays a path. */
const URL_SCHEME = /^([a-z][a-z0-9+.-]+):/i;

/**
 * The SQLite file a `DATABASE_URL` names, as an absolute path (or `:memory:`): unset or empty means
 * `./data/invitations.db`; `file:relative/path`, `file:///abs/path` and plain paths are accepted.
 * Anything else (e.g. `postgres://...`) throws an Error whose message starts with `DATABASE_URL:`.
 */
export function resolveDatabaseFile(value: string | undefined): string {
  const raw = value?.trim() ?? "";
  if (raw === "") return resolve(DEFAULT_DATABASE_FILE);
  if (raw === ":memory:") return raw;
  const scheme = URL_SCHEME.exec(raw)?.[1]?.toLowerCase();
  if (scheme === undefined) return resolve(raw);
  if (scheme !== "file") {
    // Only the scheme is echoed: the rest of a URL may hold a password.
    throw new Error(
      `DATABASE_URL: unsupported scheme "${scheme}:"; use postgres://… for PostgreSQL, or for SQLite ` +
        "a path, file:relative/path or file:///absolute/path",
    );
  }
  return resolveFileUrl(raw);
}

function resolveFileUrl(url: string): string {
  if (/[?#]/.test(url))
    throw new Error("DATABASE_URL: query strings and fragments are not supported in file: URLs");
  const rest = url.slice("file:".length);
  let path: string;
  try {
    // `file://host/...` is a real URL; `file:relative/path` is a path with a prefix, percent-encoded or not.
    path = rest.startsWith("//") ? fileURLToPath(url) : decodeURIComponent(rest);
  } catch (error) {
    throw new Error(
      `DATABASE_URL: not a usable file: URL (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  if (path === ":memory:") return path;
  if (path === "") throw new Error("DATABASE_URL: the file: URL names no file");
  return resolve(path);
}
