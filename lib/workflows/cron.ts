/**
 * Standard five-field cron (minute hour day-of-month month day-of-week) as Inngest accepts it:
 * `*`, ranges `a-b`, steps `/n` (after `*`, a range or a start), lists, month and weekday
 * names, 7 for Sunday, the `@hourly`-style macros, and an optional `TZ=Area/City ` (or
 * `CRON_TZ=`) prefix, which is honoured.
 */
export interface CronSchedule {
  expression: string;
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  daysOfMonth: ReadonlySet<number>;
  months: ReadonlySet<number>;
  /** 0 = Sunday. */
  daysOfWeek: ReadonlySet<number>;
  /** Vixie cron's rule: when both day fields are restricted, a day matching either one fires. */
  eitherDayField: boolean;
  /** Undefined means UTC. */
  timeZone: string | undefined;
}

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const MONTH_NAMES = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

const FIELDS: readonly FieldSpec[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: MONTH_NAMES },
  { name: "day of week", min: 0, max: 7, names: DAY_NAMES },
];

const MACROS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

/** Days each month can have, February counted in leap years. */
const MAX_DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function parseCron(expression: string): CronSchedule {
  let text = expression.trim();
  let timeZone: string | undefined;
  const tz = /^(?:CRON_)?TZ=(\S+)\s+/.exec(text);
  if (tz) {
    timeZone = checkTimeZone(tz[1]!, expression);
    text = text.slice(tz[0].length).trim();
  }
  text = MACROS[text.toLowerCase()] ?? text;
  const parts = text.split(/\s+/);
  if (parts.length !== 5) {
    throw new Error(`cron "${expression}": expected 5 fields (minute hour day month weekday), got ${parts.length}`);
  }
  const [minutes, hours, daysOfMonth, months, weekdays] = parts.map((part, i) => parseField(part, FIELDS[i]!, expression));
  const schedule: CronSchedule = {
    expression,
    minutes: minutes!,
    hours: hours!,
    daysOfMonth: daysOfMonth!,
    months: months!,
    daysOfWeek: new Set([...weekdays!].map((day) => day % 7)),
    eitherDayField: !isStar(parts[2]!) && !isStar(parts[4]!),
    timeZone,
  };
  assertSomeDayExists(schedule);
  return schedule;
}

/**
 * The first whole minute strictly after `after` that the schedule matches. Walks wall-clock
 * fields, skipping a non-matching hour (or, in UTC, day) at once; in a zone it never jumps
 * further than the next local hour, so a daylight-saving shift cannot step over a match.
 */
export function nextCronTime(schedule: string | CronSchedule, after: Date): Date {
  const s = typeof schedule === "string" ? parseCron(schedule) : schedule;
  const fieldsAt = s.timeZone ? zonedFields(s.timeZone) : utcFields;
  const limit = after.getTime() + SEARCH_YEARS * YEAR_MS;
  let t = Math.floor(after.getTime() / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
  while (t <= limit) {
    const f = fieldsAt(t);
    if (!s.months.has(f.month) || !dayMatches(s, f)) {
      const minutesLeft = s.timeZone ? 60 - f.minute : (24 - f.hour) * 60 - f.minute;
      t += minutesLeft * MINUTE_MS;
    } else if (!s.hours.has(f.hour)) {
      t += (60 - f.minute) * MINUTE_MS;
    } else if (!s.minutes.has(f.minute)) {
      t += MINUTE_MS;
    } else {
      return new Date(t);
    }
  }
  throw new Error(`cron "${s.expression}": no matching time within ${SEARCH_YEARS} years`);
}

const MINUTE_MS = 60_000;
const YEAR_MS = 366 * 86_400_000;
// February 29th can be eight years away (2096 → 2104).
const SEARCH_YEARS = 9;

interface WallClock {
  minute: number;
  hour: number;
  day: number;
  month: number;
  weekday: number;
}

function dayMatches(s: CronSchedule, f: WallClock): boolean {
  const dom = s.daysOfMonth.has(f.day);
  const dow = s.daysOfWeek.has(f.weekday);
  return s.eitherDayField ? dom || dow : dom && dow;
}

function utcFields(t: number): WallClock {
  const d = new Date(t);
  return {
    minute: d.getUTCMinutes(),
    hour: d.getUTCHours(),
    day: d.getUTCDate(),
    month: d.getUTCMonth() + 1,
    weekday: d.getUTCDay(),
  };
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

function zonedFields(timeZone: string): (t: number) => WallClock {
  let format = zoneFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      weekday: "short",
    });
    zoneFormats.set(timeZone, format);
  }
  const fmt = format;
  return (t) => {
    const parts: Record<string, string> = {};
    for (const { type, value } of fmt.formatToParts(t)) parts[type] = value;
    return {
      minute: Number(parts.minute),
      hour: Number(parts.hour),
      day: Number(parts.day),
      month: Number(parts.month),
      weekday: DAY_NAMES.indexOf(parts.weekday!.toUpperCase()),
    };
  };
}

function checkTimeZone(timeZone: string, expression: string): string {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return timeZone;
  } catch {
    throw new Error(`cron "${expression}": unknown time zone ${timeZone}`);
  }
}

function isStar(field: string): boolean {
  return field.startsWith("*") || field.startsWith("?");
}

function parseField(text: string, spec: FieldSpec, expression: string): Set<number> {
  const fail = (why: string): never => {
    throw new Error(`cron "${expression}": ${spec.name} "${text}" ${why}`);
  };
  const values = new Set<number>();
  for (const item of text.split(",")) {
    const [range, stepText, extra] = item.split("/");
    if (extra !== undefined || !range) fail("is not a value, range or step");
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) fail("has a step that is not a positive whole number");
    let from: number;
    let to: number;
    if (range === "*" || range === "?") {
      [from, to] = [spec.min, spec.max];
    } else if (range!.includes("-")) {
      const [a, b] = range!.split("-");
      [from, to] = [parseValue(a!, spec, fail), parseValue(b!, spec, fail)];
      if (from > to) fail(`runs backwards (${from} > ${to})`);
    } else {
      from = parseValue(range!, spec, fail);
      // "5/15" means from 5 to the end of the field in steps of 15.
      to = stepText === undefined ? from : spec.max;
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

function parseValue(text: string, spec: FieldSpec, fail: (why: string) => never): number {
  const named = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  if (named >= 0) return spec.names === MONTH_NAMES ? named + 1 : named;
  if (!/^\d+$/.test(text)) return fail(`has "${text}", which is not a number${spec.names ? " or name" : ""}`);
  const value = Number(text);
  if (value < spec.min || value > spec.max) fail(`has ${value}, outside ${spec.min}-${spec.max}`);
  return value;
}

/** Refuses schedules such as "0 0 30 2 *" that could only fire on a day no month has. */
function assertSomeDayExists(s: CronSchedule): void {
  if (s.eitherDayField) return;
  for (const month of s.months) {
    for (const day of s.daysOfMonth) if (day <= MAX_DAYS_IN_MONTH[month - 1]!) return;
  }
  throw new Error(`cron "${s.expression}": no month has the days it names`);
}
