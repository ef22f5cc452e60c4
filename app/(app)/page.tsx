import { getServerSession } from "next-auth";
import { Dashboard } from "@/components/dashboard/dashboard";
import { authOptions } from "@/lib/auth/auth-options";

export const dynamic = "force-dynamic";

export default async function DashboardPage() {
  const session = await getServerSession(authOptions());
  return <Dashboard canAcknowledge={session?.user.role === "admin"} />;
}
