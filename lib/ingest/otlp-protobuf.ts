import { AppError, formatPath } from "@/lib/errors";

/**
 * Decodes an OTLP ExportMetricsServiceRequest from the protobuf wire format into the OTLP/JSON
 * shape (camelCase names, 64-bit integers as decimal strings, NaN and ±Infinity as strings,
 * bytes as base64), so both encodings go through one validator and one mapping.
 *
 * Only the fields Vigil maps are described; every other field is skipped as protobuf allows.
 * Field numbers are from opentelemetry-proto (collector/metrics/v1, metrics/v1, common/v1,
 * resource/v1), checked against the serializer in @opentelemetry/otlp-transformer.
 */
export function decodeExportMetricsRequest(bytes: Uint8Array): Record<string, unknown> {
  return decodeMessage(bytes, EXPORT_METRICS_REQUEST, [], 0);
}

/** The error every malformed OTLP payload becomes, whichever encoding it came in. */
export function malformedOtlp(path: readonly PropertyKey[], problem: string): AppError {
  const where = formatPath(path);
  return new AppError("INVALID", where ? `${where}: ${problem}` : problem, { issues: [{ path: where, message: problem }] });
}

type Scalar = "string" | "bytes" | "bool" | "int64" | "fixed64" | "sfixed64" | "double";
type Field = { name: string; repeated?: true } & ({ scalar: Scalar } | { message: () => MessageSpec });
type MessageSpec = Readonly<Record<number, Field>>;

const WIRE_TYPE: Record<Scalar | "message", number> = { int64: 0, bool: 0, fixed64: 1, sfixed64: 1, double: 1, string: 2, bytes: 2, message: 2 };

/**
 * AnyValue can nest arrays in arrays; a bound keeps a hostile payload from exhausting the stack.
 * Nested attribute arrays reach it well before the JSON validator's own depth limit.
 */
const MAX_NESTING = 64;

const ANY_VALUE: MessageSpec = {
  1: { name: "stringValue", scalar: "string" },
  2: { name: "boolValue", scalar: "bool" },
  3: { name: "intValue", scalar: "int64" },
  4: { name: "doubleValue", scalar: "double" },
  5: { name: "arrayValue", message: () => ({ 1: { name: "values", message: () => ANY_VALUE, repeated: true } }) },
  6: { name: "kvlistValue", message: () => ({ 1: { name: "values", message: () => KEY_VALUE, repeated: true } }) },
  7: { name: "bytesValue", scalar: "bytes" },
};
const KEY_VALUE: MessageSpec = {
  1: { name: "key", scalar: "string" },
  2: { name: "value", message: () => ANY_VALUE },
};
const attributesAt = (fieldNumber: number): MessageSpec => ({
  [fieldNumber]: { name: "attributes", message: () => KEY_VALUE, repeated: true },
});
const TIME: MessageSpec = { 3: { name: "timeUnixNano", scalar: "fixed64" } };
const STATISTICS: MessageSpec = {
  ...TIME,
  4: { name: "count", scalar: "fixed64" },
  5: { name: "sum", scalar: "double" },
};

const NUMBER_POINT: MessageSpec = {
  ...attributesAt(7),
  ...TIME,
  4: { name: "asDouble", scalar: "double" },
  6: { name: "asInt", scalar: "sfixed64" },
};
const HISTOGRAM_POINT: MessageSpec = {
  ...attributesAt(9),
  ...STATISTICS,
  11: { name: "min", scalar: "double" },
  12: { name: "max", scalar: "double" },
};
const EXPONENTIAL_HISTOGRAM_POINT: MessageSpec = {
  ...attributesAt(1),
  ...STATISTICS,
  12: { name: "min", scalar: "double" },
  13: { name: "max", scalar: "double" },
};
const SUMMARY_POINT: MessageSpec = {
  ...attributesAt(7),
  ...STATISTICS,
  6: {
    name: "quantileValues",
    repeated: true,
    message: () => ({ 1: { name: "quantile", scalar: "double" }, 2: { name: "value", scalar: "double" } }),
  },
};
const dataPoints = (point: MessageSpec): (() => MessageSpec) => () => ({
  1: { name: "dataPoints", message: () => point, repeated: true },
});

const METRIC: MessageSpec = {
  1: { name: "name", scalar: "string" },
  3: { name: "unit", scalar: "string" },
  5: { name: "gauge", message: dataPoints(NUMBER_POINT) },
  7: { name: "sum", message: dataPoints(NUMBER_POINT) },
  9: { name: "histogram", message: dataPoints(HISTOGRAM_POINT) },
  10: { name: "exponentialHistogram", message: dataPoints(EXPONENTIAL_HISTOGRAM_POINT) },
  11: { name: "summary", message: dataPoints(SUMMARY_POINT) },
};
const RESOURCE_METRICS: MessageSpec = {
  1: { name: "resource", message: () => attributesAt(1) },
  2: { name: "scopeMetrics", repeated: true, message: () => ({ 2: { name: "metrics", message: () => METRIC, repeated: true } }) },
};
const EXPORT_METRICS_REQUEST: MessageSpec = {
  1: { name: "resourceMetrics", message: () => RESOURCE_METRICS, repeated: true },
};

function decodeMessage(bytes: Uint8Array, spec: MessageSpec, path: PropertyKey[], depth: number): Record<string, unknown> {
  if (depth > MAX_NESTING) throw malformedOtlp(path, `nested more than ${MAX_NESTING} levels deep`);
  // Repeated fields start empty: on the wire an empty list and a missing one are the same bytes.
  const out: Record<string, unknown> = Object.fromEntries(
    Object.values(spec).flatMap((field) => (field.repeated ? [[field.name, []]] : [])),
  );
  const reader = new WireReader(bytes, path);
  while (!reader.atEnd()) {
    reader.path = path;
    const tag = reader.varint();
    const fieldNumber = Number(tag >> 3n);
    const wireType = Number(tag & 7n);
    if (fieldNumber === 0) reader.fail("field number 0 is not allowed");
    const field = spec[fieldNumber];
    if (!field) {
      reader.skip(wireType);
      continue;
    }
    const list = field.repeated ? (out[field.name] as unknown[]) : undefined;
    reader.path = list ? [...path, field.name, list.length] : [...path, field.name];
    const expected = WIRE_TYPE["message" in field ? "message" : field.scalar];
    if (wireType !== expected) reader.fail(`wire type ${wireType}, expected ${expected}`);
    const value =
      "message" in field
        ? decodeMessage(reader.lengthDelimited(), field.message(), reader.path, depth + 1)
        : readScalar(reader, field.scalar);
    if (list) list.push(value);
    else out[field.name] = value;
  }
  return out;
}

// ignoreBOM keeps a leading U+FEFF as part of the string instead of eating it.
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function readScalar(reader: WireReader, scalar: Scalar): unknown {
  switch (scalar) {
    case "string": {
      const bytes = reader.lengthDelimited();
      try {
        return utf8.decode(bytes);
      } catch {
        return reader.fail("string is not valid UTF-8");
      }
    }
    case "bytes":
      return Buffer.from(reader.lengthDelimited()).toString("base64");
    case "bool":
      return reader.varint() !== 0n;
    case "int64":
      return BigInt.asIntN(64, reader.varint()).toString();
    case "fixed64":
      return reader.fixed64().toString();
    case "sfixed64":
      return BigInt.asIntN(64, reader.fixed64()).toString();
    case "double": {
      const value = reader.double();
      // proto3 JSON spells the non-finite doubles as strings; keeping that spelling keeps one shape.
      return Number.isFinite(value) ? value : String(value);
    }
  }
}

class WireReader {
  private pos = 0;
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    /** Where in the request the next read is, for the error if it fails. */
    public path: PropertyKey[],
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  atEnd(): boolean {
    return this.pos >= this.bytes.length;
  }

  fail(problem: string): never {
    throw malformedOtlp(this.path, problem);
  }

  varint(): bigint {
    let value = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const byte = this.bytes[this.advance(1)]!;
      value |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return BigInt.asUintN(64, value);
    }
    return this.fail("varint longer than 10 bytes");
  }

  fixed64(): bigint {
    return this.view.getBigUint64(this.advance(8), true);
  }

  double(): number {
    return this.view.getFloat64(this.advance(8), true);
  }

  lengthDelimited(): Uint8Array {
    const length = this.varint();
    if (length > BigInt(this.bytes.length - this.pos)) this.fail("truncated: length runs past the end of the message");
    const start = this.advance(Number(length));
    return this.bytes.subarray(start, this.pos);
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.advance(8);
    else if (wireType === 2) this.lengthDelimited();
    else if (wireType === 5) this.advance(4);
    // Groups (3, 4) were dropped from proto3 and OTLP never uses them.
    else this.fail(`unsupported wire type ${wireType}`);
  }

  /** Moves past `count` bytes and returns where they start. */
  private advance(count: number): number {
    if (this.pos + count > this.bytes.length) this.fail("truncated: message ends mid-field");
    const start = this.pos;
    this.pos += count;
    return start;
  }
}
