import { createUser, listUsers } from "@/lib/auth/users";
import { apiRoute } from "@/lib/http/api-route";
import { readJsonBody } from "@/lib/http/read-body";

export const dynamic = "force-dynamic";

export const GET = apiRoute("admin.users.list", "admin", async ({ ctx }) => ({ users: await listUsers(ctx) }));

export const POST = apiRoute("admin.users.create", "admin", async ({ ctx, actor, request }) => {
  const user = await createUser(ctx, actor!, await readJsonBody(request));
  return Response.json({ user }, { status: 201 });
});
