/**
 * Compose durations are Go durations: `1m30s`, `10s`, `500ms`, `1.5s`, `2h`, `100us`, `0`.
 * A bare number is seconds (as Compose reads integers). Returns milliseconds, or undefined when
 * the text is not a duration.
 */
export function parseComposeDurationMs(input: string | number): number | undefined {
  if (typeof input === "number") return Number.isFinite(input) && input >= 0 ? input * 1000 : undefined;
  const text = input.trim();
  if (text === "0") return 0;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const unitMs: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const part = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  part.lastIndex = 0;
  if (text === "") return undefined;
  while (part.lastIndex < text.length) {
    const start = part.lastIndex;
    const m = part.exec(text);
    if (!m || m.index !== start) return undefined;
    total += Number(m[1]) * unitMs[m[2]!]!;
  }
  return total;
}

/** Byte sizes as Compose writes them: `64m`, `1gb`, `512k`, `1024` (bytes). */
export function parseByteSize(input: string | number): number | undefined {
  if (typeof input === "number") return input >= 0 ? input : undefined;
  const m = /^(\d+(?:\.\d+)?)\s*([bkmg]?)b?$/i.exec(input.trim());
  if (!m) return undefined;
  const mult: Record<string, number> = { "": 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
  return Math.round(Number(m[1]) * mult[m[2]!.toLowerCase()]!);
}

/**
 * Split a command string the way Compose does (shell words, no shell): whitespace separates,
 * single quotes are literal, double quotes allow `\"` and `\\`, a backslash escapes outside quotes.
 */
export function splitShellWords(input: string): string[] | undefined {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === "\\" && (input[i + 1] === '"' || input[i + 1] === "\\" || input[i + 1] === "$"))
        word += input[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === "\\" && i + 1 < input.length) {
      word += input[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) return undefined;
  if (inWord) words.push(word);
  return words;
}
