import type { Metadata } from "next";
import { getServerSession } from "next-auth";
import { AlertsPage } from "@/components/alerts/alerts-page";
import { authOptions } from "@/lib/auth/auth-options";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Alerts · Vigil" };

/** Alert management; the API enforces who may change what, the page only hides what a viewer cannot do. */
export default async function AlertsRoute() {
  // The layout has already sent anyone without a session to /login.
  const session = await getServerSession(authOptions());
  return <AlertsPage isAdmin={session?.user.role === "admin"} />;
}
