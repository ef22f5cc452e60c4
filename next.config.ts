import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Native and WASM-backed packages stay out of the bundle and load from node_modules.
  serverExternalPackages: ["@electric-sql/pglite", "postgres"],
  poweredByHeader: false,
  typedRoutes: false,
};

export default nextConfig;
