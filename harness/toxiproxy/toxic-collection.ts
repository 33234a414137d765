import type { Connection } from "./connection.ts";
import type { ToxicEntry } from "./link.ts";
import type { Attributes, ToxicType } from "./toxics/toxic.ts";

/** The direction a toxic acts on: upstream is client to server, downstream server to client. */
export type Direction = "upstream" | "downstream";

/** A toxic as the API knows it, and as each connection's link runs it. */
export interface ToxicDefinition extends ToxicEntry {
  readonly name: string;
  readonly type: string;
  /** The stream as the client spelled it (matched case-insensitively, echoed verbatim). */
  readonly stream: string;
  readonly direction: Direction;
  readonly kind: ToxicType;
  attributes: Attributes;
}

/**
 * A proxy's toxics in creation order, one chain per direction, applied to every open connection
 * as they change. Names are unique across both directions.
 */
export class ToxicCollection {
  private definitions: ToxicDefinition[] = [];

  constructor(private readonly connections: () => Iterable<Connection>) {}

  /** Upstream toxics first, then downstream, each in creation order (the API's order). */
  list(): ToxicDefinition[] {
    return [...this.of("upstream"), ...this.of("downstream")];
  }

  of(direction: Direction): ToxicDefinition[] {
    return this.definitions.filter((d) => d.direction === direction);
  }

  find(name: string): ToxicDefinition | undefined {
    return this.definitions.find((d) => d.name === name);
  }

  add(definition: ToxicDefinition): void {
    this.definitions.push(definition);
    for (const connection of this.connections()) connection.link(definition.direction).addToxic(definition);
  }

  /** Replace a toxic's attributes and toxicity; running stages restart with the new values. */
  update(definition: ToxicDefinition, attributes: Attributes, toxicity: number): void {
    definition.attributes = attributes;
    definition.toxic = definition.kind.create(attributes);
    definition.toxicity = toxicity;
    for (const connection of this.connections()) connection.link(definition.direction).updateToxic(definition);
  }

  remove(definition: ToxicDefinition): void {
    this.definitions = this.definitions.filter((d) => d !== definition);
    for (const connection of this.connections()) connection.link(definition.direction).removeToxic(definition);
  }

  clear(): void {
    for (const definition of this.list()) this.remove(definition);
  }
}
