/**
 * Index management: create, exists, get, delete, `_mapping`, `_settings` (read); and index templates,
 * stored the way OpenSearch returns them (`index_patterns` a list, settings nested under `index` with
 * string values, alias `routing` split into index and search routing), invalid ones refused.
 */
import { errorBody, HttpError, wildcard } from "../http";
import { MappingError, mappingsForOutput, validateMappings } from "../mapping";
import type { Request, Route } from "../router";
import type { IndexState, OpenSearchEmulator, Template } from "../server";
import { flatSettings, nestSettings } from "../settings";

/** A template as OpenSearch stores and returns it; refuses what OpenSearch refuses. */
function normalizeTemplate(body: Record<string, unknown>): Template {
  const patterns = [body.index_patterns ?? []].flat().map(String);
  if (patterns.length === 0)
    throw new HttpError(
      400,
      "action_request_validation_exception",
      "Validation Failed: 1: index patterns are missing;",
    );
  const template = (body.template ?? {}) as {
    settings?: Record<string, unknown>;
    mappings?: { properties?: Record<string, never> };
    aliases?: Record<string, Record<string, unknown>>;
  };
  try {
    validateMappings(template.mappings?.properties);
  } catch (error) {
    if (error instanceof MappingError) throw new HttpError(400, error.type, error.message);
    throw error;
  }
  const aliases = template.aliases
    ? Object.fromEntries(
        Object.entries(template.aliases).map(([alias, { routing, ...rest }]) => [
          alias,
          {
            ...rest,
            ...(routing !== undefined && { index_routing: String(routing), search_routing: String(routing) }),
          },
        ]),
      )
    : undefined;
  return {
    ...body,
    index_patterns: patterns,
    template: {
      ...template,
      ...(template.settings && { settings: nestSettings(flatSettings(template.settings)) }),
      ...(aliases && { aliases }),
    },
  } as Template;
}

function listTemplates(em: OpenSearchEmulator, pattern: string) {
  const match = wildcard(pattern);
  return {
    index_templates: [...em.templates]
      .filter(([name]) => pattern.split(",").some((p) => wildcard(p).test(name)) || match.test(name))
      .map(([name, index_template]) => ({ name, index_template })),
  };
}

/**
 * An index's settings as GET answers them: what it was created with, plus what OpenSearch adds at
 * creation (shards and replicas, uuid, creation date, name); nested unless `flat_settings=true`.
 */
function settingsOf(req: Request, index: IndexState): Record<string, unknown> {
  const flat = {
    "index.number_of_shards": "1",
    "index.number_of_replicas": "1",
    ...index.settings,
    "index.uuid": index.uuid,
    "index.creation_date": String(index.createdAt),
    "index.provided_name": index.name,
  };
  return req.url.searchParams.get("flat_settings") === "true" ? flat : nestSettings(flat);
}

export function indexRoutes(em: OpenSearchEmulator): Route[] {
  return [
    {
      methods: ["PUT", "POST"],
      path: "/_index_template/{name}",
      handler: (req) => {
        const name = req.params.name as string;
        if (req.url.searchParams.get("create") === "true" && em.templates.has(name))
          return [
            400,
            errorBody(400, "illegal_argument_exception", `index template [${name}] already exists`),
          ];
        em.templates.set(name, normalizeTemplate(req.json()));
        return [200, { acknowledged: true }];
      },
    },
    {
      methods: ["DELETE"],
      path: "/_index_template/{name}",
      handler: (req) => {
        const name = req.params.name as string;
        return em.templates.delete(name)
          ? [200, { acknowledged: true }]
          : [404, errorBody(404, "resource_not_found_exception", `index_template [${name}] missing`)];
      },
    },
    { methods: ["GET"], path: "/_index_template", handler: () => [200, listTemplates(em, "*")] },
    {
      methods: ["HEAD"],
      path: "/_index_template/{name}",
      handler: (req) => [em.templates.has(req.params.name as string) ? 200 : 404, ""],
    },
    {
      methods: ["GET"],
      path: "/_index_template/{name}",
      handler: (req) => {
        const name = req.params.name as string;
        const found = listTemplates(em, name);
        return found.index_templates.length
          ? [200, found]
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
        const body = req.json() as { mappings?: { properties?: Record<string, never> } };
        try {
          validateMappings(body.mappings?.properties);
        } catch (error) {
          if (error instanceof MappingError) return [400, errorBody(400, error.type, error.message, name)];
          throw error;
        }
        em.createIndex(name, body);
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
        // A name, a comma-separated list or a pattern; a missing name fails the whole request (404) before
        // anything is deleted, unless ignore_unavailable.
        const targets = em.resolveIndices(req.params.index as string, {
          ignoreMissing: req.url.searchParams.get("ignore_unavailable") === "true",
        });
        for (const t of targets) em.indices.delete(t.name);
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
                properties: mappingsForOutput(index.mappings.properties),
              },
              settings: settingsOf(req, index),
            },
          },
        ];
      },
    },
    {
      methods: ["GET"],
      path: "/{index}/_settings",
      handler: (req) => {
        const indices = em.resolveIndices(req.params.index);
        return [200, Object.fromEntries(indices.map((i) => [i.name, { settings: settingsOf(req, i) }]))];
      },
    },
    {
      methods: ["GET"],
      path: "/{index}/_mapping",
      handler: (req) => {
        const name = req.params.index as string;
        const properties = mappingsForOutput(em.getIndex(name).mappings.properties);
        return [200, { [name]: { mappings: { properties } } }];
      },
    },
  ];
}
