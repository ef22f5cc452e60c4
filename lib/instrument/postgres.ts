import type { Reporter } from "./reporter";
import type { Series } from "./timings";

export interface PostgresOptions {
  /** Default "db.query.duration". */
  metric?: string;
  /** Adds a `db` tag, for an app with more than one database. */
  name?: string;
}

/**
 * Why a wrapper and not a hook: postgres.js's `debug` option and Drizzle's `logger` are
 * both called when a query is sent, never when it completes, so neither can give a
 * duration. This wraps the postgres.js client instead and times each query's promise.
 */

const OPERATIONS = new Set([
  "select", "insert", "update", "delete", "merge", "with", "values", "copy", "call", "do",
  "begin", "commit", "rollback", "savepoint", "release", "prepare", "execute", "deallocate",
  "create", "alter", "drop", "truncate", "grant", "revoke", "comment", "refresh", "lock",
  "listen", "notify", "unlisten", "set", "reset", "show", "explain", "analyze", "vacuum",
  "declare", "fetch", "close", "discard",
]);

/** Whitespace, comments and opening parentheses before a statement's first word. */
const FIRST_WORD = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/|\()*([A-Za-z]+)/;

/** The statement's verb, lower case, from a known set (else "other") so tags stay few. */
export function operationOf(text: string): string {
  const word = FIRST_WORD.exec(text)?.[1]?.toLowerCase();
  return word !== undefined && OPERATIONS.has(word) ? word : "other";
}

/**
 * Returns a client that behaves as `sql` and records `db.query.duration` (ms) per query,
 * tagged `operation` (select, insert, ...; see `operationOf`) and `status` ("ok" or
 * "error"). Covers tagged templates, `sql.unsafe` (what Drizzle calls), `sql.file`, and
 * the clients `sql.begin`, `savepoint` and `sql.reserve` hand out. Pass the result to
 * Drizzle as its client: `drizzle(instrumentPostgres(reporter, postgres(url)))`.
 *
 * A query is timed from when it is created until it settles: with `await sql\`...\``
 * that is its round trip, including any wait for a free connection. Fragments that are
 * never run and cursors read by async iteration record nothing. postgres.js runs its own
 * BEGIN and COMMIT of `sql.begin`, so those are not recorded either.
 */
export function instrumentPostgres<T extends object>(reporter: Reporter, sql: T, options: PostgresOptions = {}): T {
  const timings = reporter.timings(options.metric ?? "db.query.duration", "ms");
  const series = new Map<string, Series>();
  const templateOperations = new WeakMap<object, string>();

  function observe(operation: string, status: "ok" | "error", start: number): void {
    try {
      const key = `${operation} ${status}`;
      let s = series.get(key);
      if (s === undefined) {
        const tags: Record<string, string> = { operation, status };
        if (options.name !== undefined) tags.db = options.name;
        series.set(key, (s = timings.series(tags)));
      }
      const end = performance.now();
      timings.observe(s, end - start, end);
    } catch {
      // Recording must never change what the query returns.
    }
  }

  /** postgres.js queries are lazy Promise subclasses: listen without running or altering them. */
  function track<Q>(query: Q, operation: string): Q {
    if (!(query instanceof Promise)) return query; // sql(identifier), sql(rows): helpers, not queries
    const start = performance.now();
    // Promise.prototype.then, not query.then: the latter would start a fragment as a query.
    Promise.prototype.then.call(
      query,
      () => observe(operation, "ok", start),
      () => observe(operation, "error", start),
    );
    return query;
  }

  function templateOperation(strings: TemplateStringsArray): string {
    let operation = templateOperations.get(strings);
    if (operation === undefined) templateOperations.set(strings, (operation = operationOf(strings[0] ?? "")));
    return operation;
  }

  /** Calls `fn`'s function arguments with an instrumented client (begin, savepoint). */
  const withWrappedCallbacks = (args: unknown[]) =>
    args.map((arg) => (typeof arg === "function" ? (client: object) => (arg as (c: object) => unknown)(wrap(client)) : arg));

  function wrap<C extends object>(client: C): C {
    const methods = new Map<PropertyKey, unknown>();
    return new Proxy(client, {
      apply(target, thisArg, args: unknown[]) {
        const result: unknown = Reflect.apply(target as (...a: unknown[]) => unknown, thisArg, args);
        return isTemplate(args[0]) ? track(result, templateOperation(args[0])) : result;
      },
      get(target, property) {
        const value: unknown = Reflect.get(target, property);
        if (typeof value !== "function") return value;
        let wrapped = methods.get(property);
        if (wrapped !== undefined) return wrapped;
        const original = value as (...a: unknown[]) => unknown;
        switch (property) {
          case "unsafe":
            wrapped = (text: string, ...rest: unknown[]) => track(original.call(target, text, ...rest), operationOf(String(text)));
            break;
          case "file":
            wrapped = (...args: unknown[]) => track(original.apply(target, args), "other");
            break;
          case "begin":
          case "savepoint":
            wrapped = (...args: unknown[]) => original.apply(target, withWrappedCallbacks(args));
            break;
          case "reserve":
            wrapped = (...args: unknown[]) => (original.apply(target, args) as Promise<object>).then((reserved) => wrap(reserved));
            break;
          default:
            return value;
        }
        methods.set(property, wrapped);
        return wrapped;
      },
    });
  }

  return wrap(sql);
}

function isTemplate(value: unknown): value is TemplateStringsArray {
  return Array.isArray(value) && Array.isArray((value as unknown as TemplateStringsArray).raw);
}
