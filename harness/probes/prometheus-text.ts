/**
 * A small strict parser for the Prometheus text exposition format (version 0.0.4).
 *
 *   exposition := { line "\n" }
 *   line       := "" | "# HELP " name " " docstring | "# TYPE " name " " type | "#" comment | sample
 *   type       := "counter" | "gauge" | "histogram" | "summary" | "untyped"
 *   sample     := name [ "{" [ label { "," label } [ "," ] ] "}" ] value [ timestamp ]
 *   label      := labelname "=" '"' escaped '"'          escapes: \\  \"  \n
 *   name       := [a-zA-Z_:][a-zA-Z0-9_:]*
 *   labelname  := [a-zA-Z_][a-zA-Z0-9_]*
 *   value      := a Go float: digits, "NaN", "+Inf", "-Inf", exponent form
 *   timestamp  := an integer, ms since the epoch
 *
 * Tokens are separated by spaces or tabs. Strict: a malformed line, an unknown type, a second
 * TYPE or HELP for one name, a TYPE after its samples, or a repeated label name is an error naming
 * the line. A sample belongs to the family of its own name, or, for `_bucket` / `_sum` / `_count`
 * (histogram, summary) and `_total` / `_created` (counter), of the name without the suffix when
 * that family was typed.
 */

export type PromType = "counter" | "gauge" | "histogram" | "summary" | "untyped";

export interface PromSample {
  /** The sample's own name (`http_requests_total`, `latency_bucket`). */
  name: string;
  /** The family it belongs to (`latency` for `latency_bucket`). */
  family: string;
  type: PromType;
  labels: Record<string, string>;
  value: number;
  timestampMs?: number;
}

export interface PromFamily {
  name: string;
  type: PromType;
  help?: string;
}

export interface PromExposition {
  families: Map<string, PromFamily>;
  samples: PromSample[];
}

export class PromParseError extends Error {
  readonly line: number;
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.name = "PromParseError";
    this.line = line;
  }
}

const TYPES = new Set<PromType>(["counter", "gauge", "histogram", "summary", "untyped"]);
const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SUFFIXES: Record<string, PromType[]> = {
  _bucket: ["histogram"],
  _sum: ["histogram", "summary"],
  _count: ["histogram", "summary"],
  _total: ["counter"],
  _created: ["counter", "histogram", "summary"],
};

/** Parse an exposition; throws PromParseError naming the first bad line. */
export function parsePrometheusText(text: string): PromExposition {
  const families = new Map<string, PromFamily>();
  const sampled = new Set<string>();
  const typed = new Set<string>();
  const samples: PromSample[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    const line = lines[i]!.replace(/\r$/, "");
    if (line.trim() === "") continue;
    if (line.startsWith("#")) {
      const m = /^#[ \t]+(HELP|TYPE)[ \t]+(\S+)(?:[ \t]+(.*))?$/.exec(line);
      if (!m) continue; // a plain comment
      const [, keyword, name, rest] = m as unknown as [string, "HELP" | "TYPE", string, string | undefined];
      if (!NAME.test(name) || NAME.exec(name)![0] !== name) throw new PromParseError(n, `bad metric name "${name}"`);
      const fam = families.get(name);
      if (keyword === "TYPE") {
        const type = (rest ?? "").trim() as PromType;
        if (!TYPES.has(type)) throw new PromParseError(n, `unknown type "${rest ?? ""}" for ${name}`);
        if (typed.has(name)) throw new PromParseError(n, `second TYPE line for ${name}`);
        if (sampled.has(name)) throw new PromParseError(n, `TYPE for ${name} after its samples`);
        typed.add(name);
        if (fam) fam.type = type;
        else families.set(name, { name, type });
      } else {
        if (fam?.help !== undefined) throw new PromParseError(n, `second HELP line for ${name}`);
        const help = unescapeText(rest ?? "", n, false);
        if (fam) fam.help = help;
        else families.set(name, { name, type: "untyped", help });
      }
      continue;
    }
    const s = parseSample(line, n);
    const family = familyOf(s.name, families, typed);
    const fam = families.get(family);
    sampled.add(family);
    samples.push({ ...s, family, type: fam?.type ?? "untyped" });
  }
  return { families, samples };
}

function familyOf(name: string, families: Map<string, PromFamily>, typed: Set<string>): string {
  if (typed.has(name)) return name;
  for (const [suffix, types] of Object.entries(SUFFIXES)) {
    if (!name.endsWith(suffix)) continue;
    const base = families.get(name.slice(0, -suffix.length));
    if (base && typed.has(base.name) && types.includes(base.type)) return base.name;
  }
  return name;
}

function parseSample(line: string, n: number): Omit<PromSample, "family" | "type"> {
  let pos = 0;
  const rest = (): string => line.slice(pos);
  const skipBlank = (): void => {
    while (line[pos] === " " || line[pos] === "\t") pos++;
  };
  skipBlank();
  const nameMatch = NAME.exec(rest());
  if (!nameMatch) throw new PromParseError(n, `expected a metric name at "${rest().slice(0, 20)}"`);
  const name = nameMatch[0];
  pos += name.length;
  const labels: Record<string, string> = {};
  skipBlank();
  if (line[pos] === "{") {
    pos++;
    for (;;) {
      skipBlank();
      if (line[pos] === "}") {
        pos++;
        break;
      }
      const ln = LABEL_NAME.exec(rest());
      if (!ln) throw new PromParseError(n, `expected a label name in ${name} at "${rest().slice(0, 20)}"`);
      pos += ln[0].length;
      skipBlank();
      if (line[pos] !== "=") throw new PromParseError(n, `expected = after label ${ln[0]}`);
      pos++;
      skipBlank();
      if (line[pos] !== '"') throw new PromParseError(n, `expected a quoted value for label ${ln[0]}`);
      pos++;
      let raw = "";
      let closed = false;
      while (pos < line.length) {
        const c = line[pos]!;
        if (c === "\\") {
          raw += c + (line[pos + 1] ?? "");
          pos += 2;
          continue;
        }
        pos++;
        if (c === '"') {
          closed = true;
          break;
        }
        raw += c;
      }
      if (!closed) throw new PromParseError(n, `unterminated value for label ${ln[0]}`);
      if (Object.hasOwn(labels, ln[0])) throw new PromParseError(n, `label ${ln[0]} repeated in ${name}`);
      labels[ln[0]] = unescapeText(raw, n, true);
      skipBlank();
      if (line[pos] === ",") {
        pos++;
        continue;
      }
      if (line[pos] === "}") {
        pos++;
        break;
      }
      throw new PromParseError(n, `expected , or } after label ${ln[0]}`);
    }
  }
  const fields = rest()
    .trim()
    .split(/[ \t]+/);
  if (fields.length === 0 || fields[0] === "") throw new PromParseError(n, `no value for ${name}`);
  if (fields.length > 2)
    throw new PromParseError(n, `unexpected "${fields.slice(2).join(" ")}" after the value of ${name}`);
  const value = parseValue(fields[0]!, n);
  const out: Omit<PromSample, "family" | "type"> = { name, labels, value };
  if (fields[1] !== undefined) {
    if (!/^-?\d+$/.test(fields[1])) throw new PromParseError(n, `bad timestamp "${fields[1]}" for ${name}`);
    out.timestampMs = Number(fields[1]);
  }
  return out;
}

function parseValue(text: string, n: number): number {
  switch (text) {
    case "NaN":
      return Number.NaN;
    case "+Inf":
    case "Inf":
      return Number.POSITIVE_INFINITY;
    case "-Inf":
      return Number.NEGATIVE_INFINITY;
  }
  if (!FLOAT.test(text)) throw new PromParseError(n, `bad value "${text}"`);
  return Number(text);
}

/** Undo \\ and \n (and \" in label values); any other escape is an error. */
function unescapeText(raw: string, n: number, quotes: boolean): string {
  return raw.replace(/\\(.?)/g, (_, c: string) => {
    if (c === "\\") return "\\";
    if (c === "n") return "\n";
    if (c === '"' && quotes) return '"';
    if (!quotes) return `\\${c}`;
    throw new PromParseError(n, `bad escape \\${c}`);
  });
}
