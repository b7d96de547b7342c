/**
 * The path of a request's target, without its query: routes match the path alone, as Go's
 * ServeMux does for anycable-go's own endpoints (its `/health?x` is its `/health`), since probes
 * and proxies add cache busters and flags (`?full=1`).
 */
export function requestPath(url: string): string {
  const query = url.indexOf("?");
  return query === -1 ? url : url.slice(0, query);
}
