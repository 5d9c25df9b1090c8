/** Longest endpoint URL accepted. */
export const MAX_URL_LENGTH = 2048;

export type UrlCheck =
  { readonly ok: true; readonly url: URL } | { readonly ok: false; readonly message: string };

/**
 * The shape of an endpoint URL: absolute http(s), a host, no credentials, no fragment. Where it resolves to is
 * checked separately (address-guard.ts), at saving and at every delivery.
 */
export function parseEndpointUrl(raw: string): UrlCheck {
  const text = raw.trim();
  if (text.length === 0 || text.length > MAX_URL_LENGTH) {
    return { ok: false, message: `Must be an http(s) URL of 1 to ${MAX_URL_LENGTH} characters.` };
  }
  const url = URL.canParse(text) ? new URL(text) : null;
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:") || url.hostname === "") {
    return { ok: false, message: "Must be an absolute http:// or https:// URL with a host." };
  }
  if (url.username !== "" || url.password !== "") {
    return { ok: false, message: "Must not carry a user name or password; authenticate with the signature." };
  }
  if (url.hash !== "") return { ok: false, message: "Must not have a #fragment." };
  return { ok: true, url };
}
