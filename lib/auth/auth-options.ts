import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import type { Role } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { getRuntime } from "@/lib/runtime/runtime";
import { authenticate } from "./users";

/** Header server.ts sets from the socket's address (never from the client's own headers). */
export const CLIENT_ADDRESS_HEADER = "x-vigil-client-address";

const SESSION_MAX_AGE_S = 12 * 3600;

declare module "next-auth" {
  interface Session {
    user: { id: string; email: string; role: Role; name?: string | null };
  }
  interface User {
    role: Role;
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    role?: Role;
  }
}

/** next-auth configuration; built per call because the secret lives in the runtime. */
export function authOptions(): NextAuthOptions {
  const runtime = getRuntime();
  return {
    secret: runtime.config.sessionSecret,
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_S },
    pages: { signIn: "/login", error: "/login" },
    providers: [
      CredentialsProvider({
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(credentials, req) {
          const headers = (req.headers ?? {}) as Record<string, string | undefined>;
          try {
            const actor = await authenticate(runtime.ctx, runtime.loginThrottle, {
              email: credentials?.email ?? "",
              password: credentials?.password ?? "",
              address: headers[CLIENT_ADDRESS_HEADER] ?? "unknown",
            });
            return { id: actor.id, email: actor.email, role: actor.role };
          } catch (error) {
            // next-auth passes an Error's message to the login page as ?error=…
            if (error instanceof AppError && error.code === "RATE_LIMITED") {
              throw new Error(`Too many failed attempts. Try again in ${Math.ceil(error.retryAfterSeconds ?? 60)} s.`);
            }
            if (error instanceof AppError || (error as Error).name === "ZodError") return null;
            throw error;
          }
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        if (user) token.role = user.role;
        return token;
      },
      session({ session, token }) {
        session.user = { id: token.sub!, email: token.email!, role: token.role ?? "viewer", name: token.name };
        return session;
      },
    },
  };
}
