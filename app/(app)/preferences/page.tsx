import type { Metadata } from "next";
import { getServerSession } from "next-auth";
import { PreferencesPage } from "@/components/preferences/preferences-page";
import { authOptions } from "@/lib/auth/auth-options";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Notifications · Vigil" };

/** The signed-in admin's own notification preferences. */
export default async function PreferencesRoute() {
  // The layout has already sent anyone without a session to /login.
  const session = await getServerSession(authOptions());
  return <PreferencesPage isAdmin={session?.user.role === "admin"} />;
}
