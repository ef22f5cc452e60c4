import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import { LoginForm } from "@/components/login-form";
import { authOptions } from "@/lib/auth/auth-options";

export const dynamic = "force-dynamic";

/** Only same-site paths: a crafted ?callbackUrl must not bounce a fresh session elsewhere. */
function safeCallback(url: string | undefined): string {
  return url && url.startsWith("/") && !url.startsWith("//") ? url : "/";
}

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const { callbackUrl, error } = await searchParams;
  if (await getServerSession(authOptions())) redirect(safeCallback(callbackUrl));
  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <div className="w-full max-w-sm rounded-xl border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">
        <h1 className="mb-1 text-2xl font-semibold">Vigil</h1>
        <p className="mb-6 text-sm text-slate-500">Sign in to see what your application is doing.</p>
        <LoginForm callbackUrl={safeCallback(callbackUrl)} initialError={error} />
      </div>
    </main>
  );
}
