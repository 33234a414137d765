import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WritesSnapshot } from "../../load/ledger.ts";
import { manualClock, Timeline } from "../../timeline/index.ts";
import { verifyLostWrites } from "./lost-writes.ts";

// Orders 1..20 exist except 4, 9 and 13 (lost); 17 always fails with 500 (cannot be verified).
let server: Server;
let baseUrl: string;
const reads = new Map<string, number>();
beforeAll(async () => {
  server = createServer((req, res) => {
    const id = /^\/orders\/(\w+)$/.exec(req.url ?? "")?.[1] ?? "";
    reads.set(id, (reads.get(id) ?? 0) + 1);
    if (id === "17") res.writeHead(500).end();
    else if (["4", "9", "13"].includes(id)) res.writeHead(404).end();
    else res.writeHead(200, { "content-type": "application/json" }).end(`{"id":"${id}"}`);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function ledger(ids: string[], indeterminate = 0): WritesSnapshot {
  return {
    acknowledged: ids.map((id) => ({ id, endpoint: "orders", atMs: 0 })),
    indeterminate: Array.from({ length: indeterminate }, (_, i) => ({
      endpoint: "orders",
      atMs: i,
      reason: "timeout",
    })),
    failed: 0,
    acknowledgedWithoutId: 0,
    overflow: 0,
  };
}

describe("verifyLostWrites", () => {
  it("counts a 404 as lost, a persistent error as unverified, and records both on the timeline", async () => {
    const timeline = new Timeline({ clock: manualClock(5000) });
    const ids = Array.from({ length: 20 }, (_, i) => String(i + 1));
    const r = await verifyLostWrites(ledger(ids, 7), timeline, { baseUrl, readPath: "/orders/{id}", retries: 2 });
    console.log(`verified 20 writes in ${r.durationMs} ms: ${r.lost} lost, ${r.unverified} unverified`);
    expect(r.acknowledged).toBe(20);
    expect(r.lost).toBe(3);
    expect(r.lostIds.sort()).toEqual(["13", "4", "9"]);
    expect(r.unverified).toBe(1);
    expect(r.indeterminate).toBe(7);
    expect(reads.get("17")).toBe(3);
    const event = timeline.events.find((e) => e.kind === "verify" && e.name === "lost_writes");
    expect(event?.data).toMatchObject({ acknowledged: 20, lost: 3, unverified: 1, indeterminate: 7 });
    expect(timeline.aggregate({ metric: "lost_writes" })?.last).toBe(3);
  });

  it("stops reading when the run is aborted, leaving the rest unverified", async () => {
    const timeline = new Timeline({ clock: manualClock() });
    const controller = new AbortController();
    controller.abort();
    const r = await verifyLostWrites(ledger(["1", "2", "3"]), timeline, {
      baseUrl,
      readPath: "/orders/{id}",
      signal: controller.signal,
    });
    expect(r.lost).toBe(0);
    expect(r.unverified).toBe(3);
  });
});
