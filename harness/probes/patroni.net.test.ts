import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { manualClock, Timeline } from "../timeline/index.ts";
import { patroni } from "./patroni.ts";
import { readCluster } from "./patroni-api.ts";

// These serve /cluster bodies shaped as Patroni 3 writes them; the probe against a real Patroni
// cluster is harness/probes/patroni.webstack.docker.test.ts (needs the webstack db images).
const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
});

function member(name: string, role: string, state: string, lag?: number | string) {
  return {
    name,
    role,
    state,
    api_url: `http://${name}:8008/patroni`,
    host: name,
    port: 5432,
    timeline: 2,
    ...(lag === undefined ? {} : { lag }),
  };
}

async function clusterServer(initial: unknown) {
  let body: unknown = initial;
  let status = 200;
  const server = createServer((req, res) => {
    if (req.url !== "/cluster") return void res.writeHead(404).end();
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  servers.push(server);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    set: (b: unknown) => {
      body = b;
    },
    setStatus: (s: number) => {
      status = s;
    },
  };
}

describe("patroni probe", () => {
  it("writes the leader as an event on each change and lag and state per member as gauges", async () => {
    const api = await clusterServer({
      scope: "webstack",
      members: [
        member("db1", "leader", "running"),
        member("db2", "replica", "streaming", 0),
        member("db3", "replica", "streaming", 4096),
      ],
    });
    const clock = manualClock();
    const timeline = new Timeline({ clock });
    const sampler = patroni({ members: ["db1", "db2", "db3"], urls: undefined, apiPort: 8008 }).open({
      timeline,
      topology: {
        services: () => ["db1", "db2", "db3"],
        endpoint: () => ({ host: "127.0.0.1", port: 0, url: () => api.url }),
        container: () => {
          throw new Error("not used");
        },
      },
    });
    const signal = AbortSignal.timeout(5000);
    await sampler.sample(signal);
    clock.advance(1000);
    // The leader was killed: its key expires, nobody leads for a moment.
    api.set({ members: [member("db2", "replica", "running", 0), member("db3", "replica", "streaming", "unknown")] });
    await sampler.sample(signal);
    clock.advance(1000);
    api.set({ members: [member("db2", "leader", "running"), member("db3", "replica", "streaming", 128)] });
    await sampler.sample(signal);
    clock.advance(1000);
    await sampler.sample(signal);

    const leaders = timeline.events.filter((e) => e.kind === "probe" && e.name === "patroni.leader");
    expect(leaders.map((e) => [e.atMs, e.data])).toEqual([
      [0, { leader: "db1", previous: null }],
      [1000, { leader: null, previous: "db1" }],
      [2000, { leader: "db2", previous: null }],
    ]);
    const lag = (m: string) => timeline.aggregate({ metric: "patroni_replication_lag_bytes", tags: { member: m } })!;
    expect(lag("db3").max).toBe(4096);
    expect(lag("db3").last).toBe(128);
    expect(timeline.metrics.get("patroni_replication_lag_bytes")!.unit).toBe("bytes");
    const running = (m: string) => timeline.aggregate({ metric: "patroni_member_running", tags: { member: m } })!;
    // db1 left the member list: not running from then on.
    expect(running("db1").last).toBe(0);
    expect(running("db1").max).toBe(1);
    expect(running("db3").last).toBe(1);
    expect(timeline.aggregate({ metric: "patroni_member_leader", tags: { member: "db2" } })!.last).toBe(1);
  });

  it("reads /cluster from the first member that answers", async () => {
    const down = await clusterServer({});
    down.setStatus(503);
    const up = await clusterServer({ members: [member("pg-a", "leader", "running")] });
    const reading = await readCluster([down.url, up.url]);
    expect(reading.leader).toBe("pg-a");
    expect(reading.from).toBe(`${up.url}/cluster`);
    await expect(readCluster([down.url, "http://127.0.0.1:1"], { timeoutMs: 500 })).rejects.toThrow(
      /no Patroni member answered \/cluster .*HTTP 503/,
    );
  });
});
