/**
 * A health check's condition on a JSON body: `path op literal`, e.g. `status == "ok"`,
 * `db.latency_ms < 200`, `checks.0.healthy == true`. Small on purpose: one comparison,
 * dotted paths (array indexes as numbers), JSON literals.
 */
export interface BodyCondition {
  path: string[];
  op: "==" | "!=" | ">" | ">=" | "<" | "<=";
  expected: string | number | boolean | null;
  source: string;
}

const CONDITION = /^\s*([A-Za-z_$][\w$]*(?:\.[\w$]+)*)\s*(==|!=|>=|<=|>|<)\s*(.+?)\s*$/;

/** Parses a condition; throws an Error whose message says what is wrong. */
export function parseBodyCondition(source: string): BodyCondition {
  const match = CONDITION.exec(source);
  if (!match) throw new Error(`expected 'path op value' such as status == "ok", got ${JSON.stringify(source)}`);
  const [, path, op, literal] = match as unknown as [string, string, BodyCondition["op"], string];
  let expected: unknown;
  try {
    expected = JSON.parse(literal);
  } catch {
    throw new Error(`${literal} is not a JSON value (strings need double quotes)`);
  }
  if (typeof expected === "object" && expected !== null) throw new Error("compare with a string, number, boolean or null");
  if ((op !== "==" && op !== "!=") && typeof expected !== "number") throw new Error(`${op} needs a number`);
  return { path: path.split("."), op, expected: expected as BodyCondition["expected"], source: source.trim() };
}

/** Whether the body meets the condition, and if not, what it held instead. */
export function checkBodyCondition(condition: BodyCondition, body: unknown): { ok: true } | { ok: false; reason: string } {
  let value: unknown = body;
  for (const key of condition.path) {
    value = value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
  }
  const { op, expected } = condition;
  const ok =
    op === "==" ? value === expected
    : op === "!=" ? value !== expected
    : typeof value === "number" && typeof expected === "number" &&
      (op === ">" ? value > expected : op === ">=" ? value >= expected : op === "<" ? value < expected : value <= expected);
  return ok ? { ok: true } : { ok: false, reason: `${condition.path.join(".")} is ${value === undefined ? "missing" : JSON.stringify(value)}, expected ${op} ${JSON.stringify(expected)}` };
}
