/**
 * The security plugin's REST API for roles and role mappings (`_plugins/_security/api/roles`,
 * `.../rolesmapping`), as OpenSearch answers it: PUT creates (201 CREATED) or replaces (200 OK), GET
 * returns `{name: definition}` or 404 NOT_FOUND, DELETE removes. The emulator stores them and answers like
 * the plugin; it does not enforce them (every request is allowed): permission errors can only be tested
 * against a real domain (OPENSEARCH_URL).
 */
import type { Route } from "../router";
import type { OpenSearchEmulator } from "../server";

type Kind = "roles" | "rolesmapping";

function securityRoutes(em: OpenSearchEmulator, kind: Kind): Route[] {
  const store = em.security[kind];
  const path = `/_plugins/_security/api/${kind}/{name}`;
  return [
    {
      methods: ["PUT"],
      path,
      handler: (req) => {
        const name = req.params.name as string;
        const existed = store.has(name);
        store.set(name, req.json());
        return existed
          ? [200, { status: "OK", message: `'${name}' updated.` }]
          : [201, { status: "CREATED", message: `'${name}' created.` }];
      },
    },
    {
      methods: ["GET"],
      path,
      handler: (req) => {
        const name = req.params.name as string;
        const found = store.get(name);
        return found
          ? [200, { [name]: { reserved: false, hidden: false, static: false, ...found } }]
          : [404, { status: "NOT_FOUND", message: `Resource '${name}' not found.` }];
      },
    },
    {
      methods: ["DELETE"],
      path,
      handler: (req) => {
        const name = req.params.name as string;
        return store.delete(name)
          ? [200, { status: "OK", message: `'${name}' deleted.` }]
          : [404, { status: "NOT_FOUND", message: `Resource '${name}' not found.` }];
      },
    },
  ];
}

export function securityApiRoutes(em: OpenSearchEmulator): Route[] {
  return [...securityRoutes(em, "roles"), ...securityRoutes(em, "rolesmapping")];
}
