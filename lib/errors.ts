import { ZodError } from "zod";

export const ERROR_CODES = [
  "INVALID",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "NOT_FOUND",
  "CONFLICT",
  "TOO_LARGE",
  "RATE_LIMITED",
  "UNAVAILABLE",
  "INTERNAL",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

const STATUS: Record<ErrorCode, number> = {
  INVALID: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  TOO_LARGE: 413,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

/** The one error type verbs throw; `toErrorResponse` turns it into HTTP. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    /** Seconds, sent as Retry-After on 429 and 503. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = "AppError";
  }
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

/** Field path as people write it: samples[3].value */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (out, part) => (typeof part === "number" ? `${out}[${part}]` : out ? `${out}.${String(part)}` : String(part)),
    "",
  );
}

export function fromZodError(error: ZodError): AppError {
  const issues = error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
  const first = issues[0];
  const message = first ? (first.path ? `${first.path}: ${first.message}` : first.message) : "invalid input";
  return new AppError("INVALID", message, { issues });
}

export function toErrorResponse(error: unknown): Response {
  const appError =
    error instanceof AppError ? error : error instanceof ZodError ? fromZodError(error) : undefined;
  if (!appError) {
    console.error("unhandled error", error);
  }
  const { code, message, details, retryAfterSeconds } = appError ?? new AppError("INTERNAL", "internal error");
  const body: ErrorBody = { error: { code, message, ...(details === undefined ? {} : { details }) } };
  const headers: Record<string, string> = {};
  if (retryAfterSeconds !== undefined) headers["Retry-After"] = String(Math.max(1, Math.ceil(retryAfterSeconds)));
  // A body refused half-read leaves the rest on the socket; closing it keeps that from being read as a request.
  if (code === "TOO_LARGE") headers.Connection = "close";
  return Response.json(body, { status: STATUS[code], headers });
}
