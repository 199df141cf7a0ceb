// Python literals from TS values, so test asserts and expected outputs are written by TS code.
// Strings are ASCII and written with JSON escapes, which Python string literals accept as-is.

/** A Python dict whose keys need not be strings (e.g. word lengths). */
export class PyDict {
  constructor(readonly entries: [PyValue, PyValue][]) {}
}

export type PyValue = number | string | boolean | null | PyValue[] | PyDict | { [key: string]: PyValue };

export function py(value: PyValue): string {
  if (value === null) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new Error(`py: only integers are used in tests, got ${value}`);
    return String(value);
  }
  if (typeof value === "string") {
    if (!/^[\x20-\x7e]*$/.test(value))
      throw new Error(`py: non-printable or non-ASCII string ${JSON.stringify(value)}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(py).join(", ")}]`;
  if (value instanceof PyDict) return `{${value.entries.map(([k, v]) => `${py(k)}: ${py(v)}`).join(", ")}}`;
  return `{${Object.entries(value)
    .map(([k, v]) => `${py(k)}: ${py(v)}`)
    .join(", ")}}`;
}

/** Python's `%`: the result takes the sign of the divisor. */
export function pymod(a: number, b: number): number {
  return ((a % b) + b) % b;
}
