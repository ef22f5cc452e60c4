import type { Metadata } from "next";
import { getServerSession } from "next-auth";
import { TrendsPage } from "@/components/trends/trends-page";
import { authOptions } from "@/lib/auth/auth-options";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Trends · Vigil" };

/** Performance trends and anomalies; the API enforces who may change watches, the page only hides it. */
export default async function TrendsRoute() {
  // The layout has already sent anyone without a session to /login.
  const session = await getServerSession(authOptions());
  return <TrendsPage isAdmin={session?.user.role === "admin"} />;
}
