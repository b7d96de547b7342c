import { describe, expect, it } from "vitest";
import { ConfigError, PresenceApi, deriveApiSecret, loadPresenceApiConfig } from "../../../src/index.js";

describe("the presence API's configuration", () => {
  it("derives the API secret as anycable-go does (openssl dgst -sha256 -hmac s3Krit of 'api-cable')", () => {
    expect(deriveApiSecret("s3Krit")).toBe("1db397202b5bd68b12665b638515c3aeac9100f721fd7c4fcb6f29c69f32c886");
  });

  it("reads ANYCABLE_API_URL and ANYCABLE_API_SECRET, else derives the secret from ANYCABLE_SECRET", () => {
    expect(loadPresenceApiConfig({})).toEqual({ url: "http://localhost:8080/api", secret: undefined });
    expect(loadPresenceApiConfig({ ANYCABLE_SECRET: "s3Krit" }).secret).toBe(deriveApiSecret("s3Krit"));
    expect(loadPresenceApiConfig({ ANYCABLE_SECRET: "s3Krit", ANYCABLE_API_SECRET: "given" }).secret).toBe("given");
    expect(loadPresenceApiConfig({ ANYCABLE_SECRET: "none" }).secret).toBeUndefined();
    expect(loadPresenceApiConfig({ ANYCABLE_API_URL: "https://cable.example.com/api" }).url).toBe("https://cable.example.com/api");
    expect(() => loadPresenceApiConfig({ ANYCABLE_API_URL: "ftp://x" })).toThrow(ConfigError);
  });

  it("refuses stream names anycable-go's API cannot address, before any request", async () => {
    const api = new PresenceApi({ url: "http://127.0.0.1:9/api" });
    await expect(api.info("chat/1")).rejects.toThrow(TypeError);
    await expect(api.info("")).rejects.toThrow(TypeError);
    await expect(api.info("..")).rejects.toThrow(TypeError);
    await expect(api.info(".")).rejects.toThrow(TypeError);
  });

  it("reports an unreachable API as status 0", async () => {
    const api = new PresenceApi({ url: "http://127.0.0.1:9/api", timeoutMs: 2_000 });
    await expect(api.info("room:1")).rejects.toMatchObject({ name: "PresenceApiError", status: 0 });
  });
});
