import type { Metadata } from "next";
import { getServerSession } from "next-auth";
import { HealthChecks } from "@/components/checks/health-checks";
import { authOptions } from "@/lib/auth/auth-options";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Health checks · Vigil" };

export default async function ChecksPage() {
  // The layout has already sent anyone without a session to /login.
  const session = await getServerSession(authOptions());
  return <HealthChecks canEdit={session?.user.role === "admin"} />;
}
