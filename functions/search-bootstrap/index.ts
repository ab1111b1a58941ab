/**
 * Search bootstrap (CloudFormation custom resource): index templates, FGAC roles and role mappings on the
 * OpenSearch domain, as the domain's master role. Wiring only: see app.ts and plan.ts.
 */
import configYaml from "../../config/pipeline.yaml";
import { sendCfnResponse } from "../../shared/cfn-response";
import { createLogger } from "../../shared/observability";
import { createOpenSearchClient } from "../../shared/opensearch-client";
import { createSearchBootstrapHandler } from "./app";
import { sendThrough } from "./domain";
import { loadSearchBootstrapSettings } from "./settings";

const client = createOpenSearchClient(loadSearchBootstrapSettings(process.env));

export const handler = createSearchBootstrapHandler({
  send: sendThrough(client),
  configYaml,
  respond: sendCfnResponse,
  logger: createLogger("search-bootstrap"),
});
