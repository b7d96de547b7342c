import type { Context } from "hono";
import { deleteCookie, getSignedCookie, setSignedCookie } from "hono/cookie";
import type { DashboardAccess } from "../dashboard-config.js";
import { sessionKey } from "./password.js";

const COOKIE = "dashboard_session";
const SESSION_HOURS = 12;

/** Over https the cookie is `__Host-` prefixed: bound to this exact origin (Secure, Path=/, no Domain). */
function prefix(access: DashboardAccess): { prefix?: "host" } {
  return access.secureCookies ? { prefix: "host" } : {};
}

/** A signed, HttpOnly, SameSite=Strict cookie holding only its expiry time. */
export async function startSession(c: Context, access: DashboardAccess, password: string, now = Date.now()): Promise<void> {
  const expiresAt = now + SESSION_HOURS * 3600_000;
  await setSignedCookie(c, COOKIE, String(expiresAt), sessionKey(password), {
    path: "/",
    httpOnly: true,
    sameSite: "Strict",
    secure: access.secureCookies,
    maxAge: SESSION_HOURS * 3600,
    ...prefix(access),
  });
}

export async function hasSession(c: Context, access: DashboardAccess, password: string, now = Date.now()): Promise<boolean> {
  const value = await getSignedCookie(c, sessionKey(password), COOKIE, prefix(access).prefix);
  if (typeof value !== "string" || !/^\d+$/.test(value)) return false;
  return Number(value) > now;
}

export function endSession(c: Context, access: DashboardAccess): void {
  deleteCookie(c, COOKIE, { path: "/", secure: access.secureCookies, ...prefix(access) });
}
