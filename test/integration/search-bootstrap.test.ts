import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import configYaml from "../../config/pipeline.yaml";
import { createSearchBootstrapHandler, type SearchBootstrapDeps } from "../../functions/search-bootstrap/app";
import { sendThrough } from "../../functions/search-bootstrap/domain";
import { OPERATOR_INDEX_ACTIONS, roleNames } from "../../functions/search-bootstrap/plan";
import { sendCfnResponse } from "../../shared/cfn-response";
import { parsePipelineConfig } from "../../shared/pipeline-config";
import { customResourceEvent, type ResponseServer, startResponseServer } from "../helpers/cfn";
import { changeRecord } from "../helpers/dms";
import { recordingLogger, testContext } from "../helpers/lambda";
import { indexThroughIndexer, openSearchTarget, type SearchTarget, uniquePrefix } from "../helpers/search";

const INDEXER = "arn:aws:iam::123456789012:role/cdc-pipeline-dev-IndexerRole-ABC";
const OPERATOR = "arn:aws:iam::123456789012:role/cdc-operators";
let search: SearchTarget;
let responses: ResponseServer;
let responseUrl: string;
let answers: Record<string, unknown>[];
const prefix = uniquePrefix();
const stage = prefix.slice(0, -1);

beforeAll(async () => {
  search = await openSearchTarget();
  responses = await startResponseServer();
  responseUrl = responses.url;
  answers = responses.answers;
});
afterAll(async () => {
  await search.client.indices.delete({ index: `${prefix}*` }).catch(() => undefined);
  for (const name of templateNames())
    await search.client.indices.deleteIndexTemplate({ name }).catch(() => undefined);
  await responses.close();
  await search.close();
});
beforeEach(() => {
  answers.length = 0;
});

const pipeline = parsePipelineConfig(configYaml, { indexPrefix: prefix });
const indices = () =>
  [...new Set(pipeline.tables().flatMap((t) => [t.index, ...t.routes.map((r) => r.index)]))].sort();
const templateNames = () => indices().map((i) => `cdc-${i}`);

const deps = (overrides: Partial<SearchBootstrapDeps> = {}): SearchBootstrapDeps => ({
  send: sendThrough(search.client),
  configYaml,
  respond: sendCfnResponse,
  logger: recordingLogger(),
  sleep: async () => {},
  ...overrides,
});

const event = (RequestType: "Create" | "Update" | "Delete", props: Record<string, unknown> = {}) =>
  customResourceEvent(
    {
      responseUrl,
      logicalId: "SearchBootstrap",
      type: "Custom::SearchBootstrap",
      physicalId: `search-bootstrap-${stage}`,
    },
    RequestType,
    {
      Stage: stage,
      IndexPrefix: prefix,
      Shards: "1",
      Replicas: "0",
      IndexerRoleArns: INDEXER,
      OperatorRoleArns: OPERATOR,
      ...props,
    },
  );

async function domainState() {
  const templates = await Promise.all(
    templateNames().map(async (name) => {
      const { body } = await search.client.indices.getIndexTemplate({ name });
      return (body as { index_templates: { name: string; index_template: { index_patterns: string[] } }[] })
        .index_templates[0];
    }),
  );
  const get = async (path: string) => (await search.client.transport.request({ method: "GET", path })).body;
  const names = roleNames(stage);
  return {
    templates: templates.map((t) => [t?.name, t?.index_template.index_patterns]),
    indexer: await get(`/_plugins/_security/api/roles/${names.indexer}`),
    indexerMapping: await get(`/_plugins/_security/api/rolesmapping/${names.indexer}`),
    operator: await get(`/_plugins/_security/api/roles/${names.operator}`),
    operatorMapping: await get(`/_plugins/_security/api/rolesmapping/${names.operator}`),
  };
}

describe("search bootstrap on the domain", () => {
  it("installs every routed index's template and the two roles, mapped to the IAM roles", async () => {
    await createBootstrap();
    expect(answers[0]).toMatchObject({ Status: "SUCCESS", PhysicalResourceId: `search-bootstrap-${stage}` });
    const data = answers[0]?.Data as { IndexTemplates: string };
    expect(data.IndexTemplates.split(",").sort()).toEqual(templateNames());
    const state = await domainState();
    expect(state.templates).toEqual(indices().map((i) => [`cdc-${i}`, [i]]));
    const role = (state.indexer as Record<string, { index_permissions: { index_patterns: string[] }[] }>)[
      roleNames(stage).indexer
    ];
    expect(role?.index_permissions[0]?.index_patterns).toEqual(indices());
    expect(state.indexerMapping).toMatchObject({ [roleNames(stage).indexer]: { backend_roles: [INDEXER] } });
    expect(state.operatorMapping).toMatchObject({
      [roleNames(stage).operator]: { backend_roles: [OPERATOR] },
    });
    // Operators read the pipeline's indices (verify) and delete one to rebuild it; they write nothing.
    type Role = { index_permissions: { index_patterns: string[]; allowed_actions: string[] }[] };
    const operator = (state.operator as Record<string, Role>)[roleNames(stage).operator];
    // (test/integration/fgac-roles.test.ts checks the requests verify and a rebuild send against it.)
    expect(operator?.index_permissions).toEqual([
      { index_patterns: indices(), allowed_actions: OPERATOR_INDEX_ACTIONS },
    ]);
    expect(OPERATOR_INDEX_ACTIONS.filter((a) => a.startsWith("indices:data/write"))).toEqual([]);
  });

  it("converges when run again (Update) and leaves everything on Delete", async () => {
    const before = await domainState();
    await createBootstrapHandler("Update");
    expect(answers[0]).toMatchObject({ Status: "SUCCESS" });
    expect(await domainState()).toEqual(before);
    await createSearchBootstrapHandler(deps())(event("Delete"), testContext());
    expect(answers[1]).toMatchObject({ Status: "SUCCESS", PhysicalResourceId: `search-bootstrap-${stage}` });
    expect(await domainState()).toEqual(before);
  });

  it("makes the indexer's 10.75 findable by a range query 10.5-11 (explicit scaled_float, not a dynamic long)", async () => {
    const T0 = Date.UTC(2026, 10, 21, 14);
    const row = (id: number, amount: string) => ({
      id,
      customer_id: 1,
      status: "new",
      amount,
      active: "true",
    });
    await indexThroughIndexer(search.url, pipeline, [
      changeRecord({ op: "insert", row: row(1, "10.00"), commitMs: T0 }, 0),
      changeRecord({ op: "insert", row: row(2, "10.75"), commitMs: T0 + 1 }, 1),
    ]);
    const index = pipeline.routingFor("public", "orders").index;
    await search.client.indices.refresh({ index });
    const hits = await search.client.search({
      index,
      body: { query: { range: { amount: { gte: 10.5, lte: 11 } } } },
    });
    expect(hits.body.hits.hits.map((h) => (h as { _id: string })._id)).toEqual(["2"]);
  });
});

describe("search bootstrap answers CloudFormation on failure", () => {
  it("retries a domain that is not ready yet (no connection, 503) and then succeeds", async () => {
    let calls = 0;
    const real = sendThrough(search.client);
    const flaky: SearchBootstrapDeps["send"] = async (request) => {
      calls++;
      if (calls === 1) throw new Error("connect ECONNREFUSED 10.0.1.5:443");
      if (calls === 2) return { status: 503, body: { error: "not ready" } };
      return real(request);
    };
    await createSearchBootstrapHandler(deps({ send: flaky }))(event("Create"), testContext(60_000));
    expect(answers[0]).toMatchObject({ Status: "SUCCESS" });
  });

  it("FAILED with the domain's refusal (4xx), at once", async () => {
    let calls = 0;
    const refusing: SearchBootstrapDeps["send"] = async () => {
      calls++;
      return { status: 403, body: { error: { type: "security_exception", reason: "no permissions" } } };
    };
    await createSearchBootstrapHandler(deps({ send: refusing }))(event("Create"), testContext(60_000));
    expect(calls).toBe(1);
    expect(answers[0]).toMatchObject({ Status: "FAILED", PhysicalResourceId: "SearchBootstrap" });
    expect(String(answers[0]?.Reason)).toMatch(
      /PUT \/_index_template\/cdc-.* answered 403 .*security_exception/,
    );
  });

  it("FAILED before the deadline when the domain never answers", async () => {
    const down: SearchBootstrapDeps["send"] = async () => {
      throw new Error("connect ETIMEDOUT");
    };
    await createSearchBootstrapHandler(deps({ send: down, marginMs: 0 }))(
      event("Update"),
      testContext(1_000),
    );
    expect(answers[0]).toMatchObject({ Status: "FAILED", PhysicalResourceId: `search-bootstrap-${stage}` });
    expect(String(answers[0]?.Reason)).toMatch(/did not succeed in time \(last: connect ETIMEDOUT\)/);
  });

  it("FAILED on invalid properties (no indexer role, a bad ARN)", async () => {
    await createSearchBootstrapHandler(deps())(event("Create", { IndexerRoleArns: "" }), testContext());
    await createSearchBootstrapHandler(deps())(
      event("Create", { OperatorRoleArns: "not-an-arn" }),
      testContext(),
    );
    expect(answers.map((a) => a.Status)).toEqual(["FAILED", "FAILED"]);
    expect(String(answers[0]?.Reason)).toMatch(/IndexerRoleArns/);
    expect(String(answers[1]?.Reason)).toMatch(/OperatorRoleArns/);
  });
});

async function createBootstrap() {
  await createSearchBootstrapHandler(deps())(event("Create"), testContext(60_000));
}
async function createBootstrapHandler(type: "Update") {
  await createSearchBootstrapHandler(deps())(event(type), testContext(60_000));
}
