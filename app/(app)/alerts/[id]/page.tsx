import type { Metadata } from "next";
import { getServerSession } from "next-auth";
import { AlertDetail } from "@/components/alerts/alert-detail";
import { authOptions } from "@/lib/auth/auth-options";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Alert · Vigil" };

/** One alert's page; notifications link here, with `?ack=1` from their "Acknowledge" link. */
export default async function AlertRoute({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  // The layout has already sent anyone without a session to /login.
  const [{ id }, query, session] = await Promise.all([params, searchParams, getServerSession(authOptions())]);
  return <AlertDetail id={id} isAdmin={session?.user.role === "admin"} ackRequested={query.ack === "1"} />;
}
