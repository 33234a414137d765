import type { TcpProxy } from "../proxy.ts";
import type { ToxicDefinition } from "../toxic-collection.ts";
import { ApiError, badBody } from "./errors.ts";

/** The TcpProxy object on the wire, keys in the order the Go server prints them. */
export interface ProxyJson {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  /** A stray empty object every Toxiproxy since 2.5.0 prints; kept for byte-level parity. */
  Logger: Record<string, never>;
  toxics: ToxicJson[];
}

/** The Toxic object on the wire. */
export interface ToxicJson {
  attributes: Record<string, number>;
  name: string;
  type: string;
  stream: string;
  toxicity: number;
}

export function toxicJson(toxic: ToxicDefinition): ToxicJson {
  const attributes: Record<string, number> = {};
  for (const key of toxic.kind.attributes) attributes[key] = toxic.attributes[key] ?? 0;
  return { attributes, name: toxic.name, type: toxic.type, stream: toxic.stream, toxicity: toxic.toxicity };
}

export function proxyJson(proxy: TcpProxy): ProxyJson {
  return {
    name: proxy.name,
    listen: proxy.listen,
    upstream: proxy.upstream,
    enabled: proxy.enabled,
    Logger: {},
    toxics: proxy.toxics.list().map(toxicJson),
  };
}

/**
 * Decode a request body like Go's json.Decoder: only the first JSON value counts (trailing bytes
 * are ignored); an empty body is "EOF". Throws a 400 ApiError with Go-like text.
 */
export function decodeBody(text: string): unknown {
  if (text.trim() === "") throw badBody("EOF");
  try {
    return JSON.parse(text);
  } catch (error) {
    const position = /position (\d+)/.exec((error as Error).message);
    const at = position ? Number(position[1]) : -1;
    if (at > 0) {
      try {
        return JSON.parse(text.slice(0, at));
      } catch {
        // Not a complete first value: report the original problem.
      }
    }
    const first = text.trimStart()[0] ?? "";
    if (!/[[{"\-0-9tfn]/.test(first)) throw badBody(`invalid character '${first}' looking for beginning of value`);
    if (at < 0 || at >= text.length) throw badBody("unexpected EOF");
    throw badBody(`invalid character '${text[at]}' at offset ${at + 1}`);
  }
}

export type JsonObject = Record<string, unknown>;

function describe(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value === null) return "null";
  return typeof value === "object" ? "object" : typeof value;
}

/** The body must be a JSON object (null counts as an empty one, as in Go). */
export function asObject(value: unknown, goType: string): JsonObject {
  if (value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw badBody(`json: cannot unmarshal ${describe(value)} into Go value of type ${goType}`);
  }
  return value as JsonObject;
}

/** A key matched as Go does: exactly, else case-insensitively. */
export function field(object: JsonObject, key: string): unknown {
  if (Object.hasOwn(object, key)) return object[key];
  const lower = key.toLowerCase();
  for (const k of Object.keys(object)) if (k.toLowerCase() === lower) return object[k];
  return undefined;
}

/** A string field; absent or null gives undefined. */
export function stringField(object: JsonObject, key: string, goStruct: string): string | undefined {
  const value = field(object, key);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") {
    throw badBody(`json: cannot unmarshal ${describe(value)} into Go struct field ${goStruct}.${key} of type string`);
  }
  return value;
}

export function booleanField(object: JsonObject, key: string, goStruct: string): boolean | undefined {
  const value = field(object, key);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") {
    throw badBody(`json: cannot unmarshal ${describe(value)} into Go struct field ${goStruct}.${key} of type bool`);
  }
  return value;
}

export function numberField(object: JsonObject, key: string, goStruct: string): number | undefined {
  const value = field(object, key);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number") {
    throw badBody(`json: cannot unmarshal ${describe(value)} into Go struct field ${goStruct}.${key} of type float32`);
  }
  return value;
}

/** An int64 attribute: absent or null gives undefined; fractions and other types are 400. */
export function integerField(object: JsonObject, key: string, goStruct: string): number | undefined {
  const value = field(object, key);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    const what = typeof value === "number" ? `number ${value}` : describe(value);
    throw badBody(`json: cannot unmarshal ${what} into Go struct field ${goStruct}.${key} of type int64`);
  }
  return value;
}

export { ApiError };
