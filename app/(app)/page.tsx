import type { Metadata } from "next";
import { getServerSession } from "next-auth";
import { Dashboard } from "@/components/dashboard/dashboard";
import { authOptions } from "@/lib/auth/auth-options";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "System monitoring · Vigil" };

/** The live dashboard; everything on it comes from the client's live connection. */
export default async function DashboardPage() {
  const session = await getServerSession(authOptions());
  return <Dashboard isAdmin={session?.user.role === "admin"} />;
}
