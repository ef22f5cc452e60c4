import { getServerSession } from "next-auth";
import Link from "next/link";
import { redirect } from "next/navigation";
import { Providers } from "@/components/providers";
import { SignOutButton } from "@/components/sign-out-button";
import { authOptions } from "@/lib/auth/auth-options";

export const dynamic = "force-dynamic";

const NAV_LINKS = [
  { href: "/", label: "Dashboard", testId: "nav-dashboard" },
  { href: "/checks", label: "Checks", testId: "nav-checks" },
  { href: "/alerts", label: "Alerts", testId: "nav-alerts" },
  { href: "/trends", label: "Trends", testId: "nav-trends" },
  { href: "/preferences", label: "Notifications", testId: "nav-preferences" },
] as const;

export default async function AppLayout({ children }: { children: React.ReactNode }) {
  const session = await getServerSession(authOptions());
  if (!session) redirect("/login");
  return (
    <Providers>
      <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <div className="mx-auto flex max-w-6xl items-center justify-between gap-4 px-4 py-3">
          <div className="flex min-w-0 items-center gap-2 sm:gap-4">
            <Link href="/" className="text-lg font-semibold">
              Vigil
            </Link>
            <nav aria-label="Main" className="flex flex-wrap items-center gap-1 text-sm">
              {NAV_LINKS.map(({ href, label, testId }) => (
                <Link key={href} href={href} className="rounded-md px-2 py-1 text-slate-600 hover:bg-slate-200 dark:text-slate-300 dark:hover:bg-slate-800" data-testid={testId}>
                  {label}
                </Link>
              ))}
            </nav>
          </div>
          <div className="flex items-center gap-3 text-sm">
            <span className="hidden text-slate-500 sm:inline" data-testid="signed-in-as">
              {session.user.email} · {session.user.role}
            </span>
            <SignOutButton />
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-6xl px-4 py-6">{children}</main>
    </Providers>
  );
}
