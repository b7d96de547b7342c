/** A URL fit for logs: any password replaced; strings that are not URLs (host:port) unchanged. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password === "") return raw;
    url.password = "***";
    return url.toString();
  } catch {
    return raw;
  }
}
