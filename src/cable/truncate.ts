/** Client-supplied text cut to a size that is safe to echo in an error message or a log line. */
export function truncate(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
