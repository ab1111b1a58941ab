/** Cluster-level API: the root banner, `_cluster/health` (a one-node cluster's), `_refresh` (publishes changes to search); and the emulator's own controls. */
import type { Route } from "../router";
import type { Faults, OpenSearchEmulator } from "../server";

export function clusterRoutes(em: OpenSearchEmulator): Route[] {
  return [
    {
      methods: "*",
      path: "/",
      handler: () => [
        200,
        {
          name: "emulator",
          cluster_name: "opensearch-emulator",
          version: { distribution: "opensearch", number: "2.19.0" },
          tagline: "OpenSearch API emulator (dev/test only)",
        },
      ],
    },
    {
      methods: "*",
      path: "/_cluster/health",
      handler: (req) => {
        // The emulator does not wait: a status not reached yet answers at once as a timed-out wait does.
        const health = em.clusterHealth();
        const wanted = req.url.searchParams.get("wait_for_status");
        const rank = { green: 0, yellow: 1, red: 2 } as Record<string, number>;
        if (wanted && (rank[wanted] ?? 0) < (rank[health.status] ?? 0))
          return [408, { ...health, timed_out: true }];
        return [200, health];
      },
    },
    { methods: ["GET", "POST"], path: "/_refresh", handler: () => [200, em.refresh()] },
    { methods: ["GET", "POST"], path: "/_all/_refresh", handler: () => [200, em.refresh("_all")] },
    {
      methods: ["GET", "POST"],
      path: "/{index}/_refresh",
      handler: (req) => [
        200,
        em.refresh(req.params.index, {
          ignoreMissing: req.url.searchParams.get("ignore_unavailable") === "true",
        }),
      ],
    },
  ];
}

/** `/_emulator/faults` (inject, read, clear) and `/_emulator/reset`: answered even while faults are on. */
export function emulatorControlRoutes(em: OpenSearchEmulator): Route[] {
  return [
    {
      methods: "*",
      path: "/_emulator/faults",
      handler: (req) => {
        if (req.method === "DELETE") em.faults = {};
        else if (req.method === "POST" || req.method === "PUT")
          em.faults = { ...em.faults, ...(req.json() as Faults) };
        return [200, { faults: em.faults }];
      },
    },
    {
      methods: ["POST"],
      path: "/_emulator/reset",
      handler: () => {
        em.reset();
        return [200, { acknowledged: true }];
      },
    },
  ];
}
