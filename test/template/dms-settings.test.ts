/**
 * The DMS resources in template.yaml render records exactly as shared/dms-settings.ts says, which is what
 * the local capture sends and the indexer parses: a setting changed in one place only fails here.
 */
import { describe, expect, it } from "vitest";
import { DMS_KINESIS_SETTINGS } from "../../shared/dms-settings";
import { loadTemplate } from "../../tools/lib/cfn-yaml";

const resources = Object.entries(loadTemplate("template.yaml").Resources);
const ofType = (type: string) =>
  resources.filter(([, r]) => r.Type === type).map(([id, r]) => ({ id, props: r.Properties ?? {} }));
const endpoints = ofType("AWS::DMS::Endpoint");

describe("DMS settings in template.yaml", () => {
  it("the Kinesis target endpoint writes the rendering the indexer parses", () => {
    const targets = endpoints.filter((e) => e.props.EngineName === "kinesis");
    expect(targets.map((t) => t.id)).toEqual(["DmsKinesisTargetEndpoint"]);
    for (const { props } of targets) {
      const { StreamArn, ServiceAccessRoleArn, ...rendering } = props.KinesisSettings as Record<
        string,
        unknown
      >;
      expect(StreamArn).toEqual({ "Fn::GetAtt": ["CdcStream", "Arn"] });
      expect(ServiceAccessRoleArn).toBeDefined();
      expect(rendering).toEqual(DMS_KINESIS_SETTINGS);
    }
  });
});
