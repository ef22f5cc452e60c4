import { z } from "zod";

/** An absolute http(s) URL: what Vigil may fetch for checks and scrapes. */
export const httpUrl = z.string().refine((value) => {
  try {
    return /^https?:$/.test(new URL(value).protocol);
  } catch {
    return false;
  }
}, "an absolute http:// or https:// URL");
