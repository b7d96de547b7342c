// A server may be written without a scheme (NATS takes `host:4222` and `user:pw@host:4222`); it is
// read with this stand-in scheme, which never appears in the result.
const SCHEMELESS = "schemeless://";

/**
 * A URL fit for logs: its password replaced by `***`, the rest as given. A string that cannot be
 * read as a URL, even without a scheme, is replaced whole: a password in it could not be told
 * apart from the rest.
 */
export function redactUrl(raw: string): string {
  const url = networkUrl(raw);
  if (url !== undefined) return hidePassword(url, raw);
  if (!raw.includes("://")) {
    const schemeless = networkUrl(`${SCHEMELESS}${raw}`);
    if (schemeless !== undefined) return hidePassword(schemeless, raw).replace(SCHEMELESS, "");
  }
  return "(unparseable URL)";
}

/** The URL, when `text` is one with a host (`localhost:4222` parses, as scheme `localhost:` and no host). */
function networkUrl(text: string): URL | undefined {
  try {
    const url = new URL(text);
    return url.host === "" ? undefined : url;
  } catch {
    return undefined;
  }
}

function hidePassword(url: URL, raw: string): string {
  if (url.password === "") return raw;
  url.password = "***";
  return url.toString();
}
