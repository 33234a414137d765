import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

/**
 * `.dockerignore` rules, as Docker reads them: one pattern a line, `#` comments, `!` re-includes,
 * `*` and `?` stay within one path segment, `**` spans segments, a leading `/` is dropped, and a
 * pattern that matches a directory excludes everything under it. The last matching line wins.
 */
export interface DockerIgnore {
  /** True when the path (relative to the context, `/`-separated) is excluded. */
  excludes(relPath: string): boolean;
  /** True when some `!` line could re-include a path under this (excluded) directory. */
  mayReinclude(relDir: string): boolean;
}

interface Rule {
  regex: RegExp;
  negate: boolean;
  segments: string[];
}

export function parseDockerIgnore(text: string): DockerIgnore {
  const rules: Rule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const negate = line.startsWith("!");
    if (negate) line = line.slice(1).trim();
    line = path.posix.normalize(line.replace(/^\/+/, "")).replace(/\/+$/, "");
    if (line === "" || line === ".") continue;
    rules.push({ regex: patternToRegex(line), negate, segments: line.split("/") });
  }
  return {
    mayReinclude(relDir: string): boolean {
      const dirParts = relDir.split("/");
      return rules.some((rule) => {
        if (!rule.negate) return false;
        // Compare the directory with the pattern's leading segments; `**` can reach anywhere.
        for (let i = 0; i < dirParts.length; i++) {
          const seg = rule.segments[i];
          if (seg === undefined) return false;
          if (seg.includes("**")) return true;
          if (!patternToRegex(seg).test(dirParts[i]!)) return false;
        }
        return true;
      });
    },
    excludes(relPath: string): boolean {
      const candidates = selfAndParents(relPath);
      let excluded = false;
      for (const rule of rules) {
        if (candidates.some((c) => rule.regex.test(c))) excluded = !rule.negate;
      }
      return excluded;
    },
  };
}

function selfAndParents(relPath: string): string[] {
  const parts = relPath.split("/").filter((p) => p !== "" && p !== ".");
  const out: string[] = [];
  for (let i = parts.length; i > 0; i--) out.push(parts.slice(0, i).join("/"));
  return out;
}

function patternToRegex(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === "*") {
      if (pattern[i + 1] === "*") {
        // `**/` matches zero or more directories; a trailing `**` matches everything below.
        if (pattern[i + 2] === "/") {
          re += "(?:.*/)?";
          i += 2;
        } else {
          re += ".*";
          i += 1;
        }
      } else {
        re += "[^/]*";
      }
    } else if (ch === "?") {
      re += "[^/]";
    } else if (ch === "[") {
      const end = pattern.indexOf("]", i + 1);
      if (end === -1) {
        re += "\\[";
      } else {
        let cls = pattern.slice(i + 1, end);
        if (cls.startsWith("!")) cls = `^${cls.slice(1)}`;
        re += `[${cls.replace(/\\/g, "\\\\")}]`;
        i = end;
      }
    } else if (ch === "\\" && i + 1 < pattern.length) {
      re += escapeRegex(pattern[i + 1]!);
      i += 1;
    } else {
      re += escapeRegex(ch);
    }
  }
  return new RegExp(`^${re}$`);
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/**
 * The files of a build context that Docker would receive: walks `contextDir`, skips what
 * `.dockerignore` excludes (never descending into an excluded directory unless a `!` line could
 * re-include something in it), and always keeps the Dockerfile and `.dockerignore` themselves.
 * Returns `/`-separated paths relative to the context, sorted.
 */
export async function contextFiles(contextDir: string, dockerfile = "Dockerfile"): Promise<string[]> {
  let ignore: DockerIgnore = parseDockerIgnore("");
  try {
    ignore = parseDockerIgnore(await readFile(path.join(contextDir, ".dockerignore"), "utf8"));
  } catch {
    // No .dockerignore: everything goes.
  }
  const keep = new Set([path.posix.normalize(dockerfile.split(path.sep).join("/")), ".dockerignore"]);
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(path.join(contextDir, rel), { withFileTypes: true });
    for (const entry of entries) {
      const child = rel === "" ? entry.name : `${rel}/${entry.name}`;
      const excluded = ignore.excludes(child) && !keep.has(child);
      if (entry.isDirectory()) {
        if (excluded && !ignore.mayReinclude(child)) continue;
        await walk(child);
      } else if (!excluded) {
        out.push(child);
      }
    }
  };
  await walk("");
  return out.sort();
}
