import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const DEFAULT_DATABASE_FILE = "./data/invitations.db";

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
      `DATABASE_URL: unsupported scheme "${scheme}:"; only SQLite file paths are supported ` +
        "(a path, file:relative/path or file:///absolute/path)",
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
