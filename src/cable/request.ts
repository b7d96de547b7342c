import { parse as parseCookies } from "cookie";

/**
 * The HTTP request that opened the WebSocket, as anycable-go describes it in `env`: the URL,
 * the headers it was told to forward (lower-case, plus REMOTE_ADDR), cookies and query params.
 */
export class Request {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  #parsedUrl: URL | null | undefined;
  #cookies: Readonly<Record<string, string>> | undefined;

  constructor(url: string, headers: Readonly<Record<string, string>>) {
    this.url = url;
    this.headers = headers;
  }

  /** A header by name, case-insensitively, as the browser sent it. */
  header(name: string): string | undefined {
    return this.headers[name.toLowerCase()];
  }

  get remoteAddr(): string | undefined {
    return this.headers.REMOTE_ADDR ?? this.headers.remote_addr;
  }

  get cookies(): Readonly<Record<string, string>> {
    if (this.#cookies === undefined) {
      const raw = this.header("cookie");
      const parsed = raw ? parseCookies(raw) : {};
      const clean: Record<string, string> = Object.create(null);
      for (const [k, v] of Object.entries(parsed)) if (typeof v === "string") clean[k] = v;
      this.#cookies = clean;
    }
    return this.#cookies;
  }

  /** The URL parsed; null when anycable-go sent something that is not a URL. */
  get parsedUrl(): URL | null {
    if (this.#parsedUrl === undefined) {
      try {
        this.#parsedUrl = new URL(this.url);
      } catch {
        this.#parsedUrl = null;
      }
    }
    return this.#parsedUrl;
  }

  get params(): URLSearchParams {
    return this.parsedUrl?.searchParams ?? new URLSearchParams();
  }

  get path(): string {
    return this.parsedUrl?.pathname ?? "";
  }
}
