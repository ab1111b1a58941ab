/** Index management: create, exists, get, delete, `_mapping`; and index templates. */
import { errorBody, wildcard } from "../http";
import type { Route } from "../router";
import type { OpenSearchEmulator, Template } from "../server";
import { nestSettings } from "../settings";

export function indexRoutes(em: OpenSearchEmulator): Route[] {
  return [
    {
      methods: ["PUT", "POST"],
      path: "/_index_template/{name}",
      handler: (req) => {
        em.templates.set(req.params.name as string, req.json() as Template);
        return [200, { acknowledged: true }];
      },
    },
    {
      methods: ["DELETE"],
      path: "/_index_template/{name}",
      handler: (req) => [em.templates.delete(req.params.name as string) ? 200 : 404, { acknowledged: true }],
    },
    {
      methods: "*",
      path: "/_index_template/{name}",
      handler: (req) => {
        const name = req.params.name as string;
        const t = em.templates.get(name);
        return t
          ? [200, { index_templates: [{ name, index_template: t }] }]
          : [
              404,
              errorBody(404, "resource_not_found_exception", `index template matching [${name}] not found`),
            ];
      },
    },
    {
      methods: ["PUT"],
      path: "/{index}",
      handler: (req) => {
        const name = req.params.index as string;
        if (em.indices.has(name))
          return [
            400,
            errorBody(
              400,
              "resource_already_exists_exception",
              `index [${name}/emulated] already exists`,
              name,
            ),
          ];
        em.createIndex(name, req.json());
        return [200, { acknowledged: true, shards_acknowledged: true, index: name }];
      },
    },
    {
      methods: ["HEAD"],
      path: "/{index}",
      handler: (req) => [em.indices.has(req.params.index as string) ? 200 : 404, ""],
    },
    {
      methods: ["DELETE"],
      path: "/{index}",
      handler: (req) => {
        const name = req.params.index as string;
        const targets = name.includes("*")
          ? [...em.indices.keys()].filter((n) => wildcard(name).test(n))
          : [em.getIndex(name).name];
        for (const t of targets) em.indices.delete(t);
        return [200, { acknowledged: true }];
      },
    },
    {
      methods: ["GET"],
      path: "/{index}",
      handler: (req) => {
        const name = req.params.index as string;
        const index = em.getIndex(name);
        return [
          200,
          {
            [name]: {
              aliases: {},
              mappings: {
                ...(index.dynamic !== true && { dynamic: String(index.dynamic) }),
                properties: index.mappings.properties,
              },
              settings: nestSettings(index.settings),
            },
          },
        ];
      },
    },
    {
      methods: ["GET"],
      path: "/{index}/_mapping",
      handler: (req) => {
        const name = req.params.index as string;
        return [200, { [name]: { mappings: { properties: em.getIndex(name).mappings.properties } } }];
      },
    },
  ];
}
