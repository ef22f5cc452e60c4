import NextAuth from "next-auth";
import type { NextRequest } from "next/server";
import { authOptions } from "@/lib/auth/auth-options";
import { toErrorResponse } from "@/lib/errors";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ nextauth: string[] }> };

async function handle(request: NextRequest, context: Context): Promise<Response> {
  try {
    return (await NextAuth(request, context, authOptions())) as Response;
  } catch (error) {
    return toErrorResponse(error);
  }
}

export { handle as GET, handle as POST };
