/**
 * Compose variable interpolation, applied to every string value (never to keys).
 *
 *   $$                 a literal "$"
 *   $VAR  ${VAR}       the value, or "" when unset
 *   ${VAR:-default}    default when VAR is unset or empty
 *   ${VAR-default}     default when VAR is unset
 *   ${VAR:?message}    error when VAR is unset or empty
 *   ${VAR?message}     error when VAR is unset
 *   ${VAR:+alt}        alt when VAR is set and not empty, else ""
 *   ${VAR+alt}         alt when VAR is set, else ""
 *
 * Defaults may themselves contain ${...}. Errors are returned as text, never thrown, so the
 * loader can name the file and key.
 */
export type Lookup = (name: string) => string | undefined;

export class InterpolationError extends Error {}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** Interpolate one string; throws InterpolationError with a readable reason. */
export function interpolate(input: string, lookup: Lookup): string {
  let out = "";
  let i = 0;
  while (i < input.length) {
    const ch = input[i]!;
    if (ch !== "$") {
      out += ch;
      i++;
      continue;
    }
    const next = input[i + 1];
    if (next === "$") {
      out += "$";
      i += 2;
      continue;
    }
    if (next === "{") {
      const end = matchingBrace(input, i + 1);
      if (end === -1) throw new InterpolationError(`unclosed '\${' in "${input}"`);
      out += expand(input.slice(i + 2, end), lookup, input);
      i = end + 1;
      continue;
    }
    const m = NAME.exec(input.slice(i + 1));
    if (m) {
      out += lookup(m[0]) ?? "";
      i += 1 + m[0].length;
      continue;
    }
    // A lone "$" (e.g. at the end) stays as it is.
    out += "$";
    i++;
  }
  return out;
}

function matchingBrace(s: string, open: number): number {
  let depth = 0;
  for (let j = open; j < s.length; j++) {
    if (s[j] === "{") depth++;
    else if (s[j] === "}") {
      depth--;
      if (depth === 0) return j;
    }
  }
  return -1;
}

function expand(body: string, lookup: Lookup, whole: string): string {
  const m = NAME.exec(body);
  if (!m) throw new InterpolationError(`invalid variable '\${${body}}' in "${whole}"`);
  const name = m[0];
  const rest = body.slice(name.length);
  const value = lookup(name);
  if (rest === "") return value ?? "";
  const op = /^(:-|-|:\?|\?|:\+|\+)/.exec(rest)?.[0];
  if (!op) throw new InterpolationError(`invalid variable '\${${body}}' in "${whole}"`);
  const arg = rest.slice(op.length);
  const unsetOrEmpty = value === undefined || value === "";
  switch (op) {
    case ":-":
      return unsetOrEmpty ? interpolate(arg, lookup) : value;
    case "-":
      return value === undefined ? interpolate(arg, lookup) : value;
    case ":?":
      if (unsetOrEmpty)
        throw new InterpolationError(
          `required variable ${name} is ${value === undefined ? "unset" : "empty"}: ${arg || "set it"}`,
        );
      return value;
    case "?":
      if (value === undefined) throw new InterpolationError(`required variable ${name} is unset: ${arg || "set it"}`);
      return value;
    case ":+":
      return unsetOrEmpty ? "" : interpolate(arg, lookup);
    default:
      return value === undefined ? "" : interpolate(arg, lookup);
  }
}
