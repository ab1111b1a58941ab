import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadTemplate, parseTemplate } from "../../tools/lib/cfn-yaml";
import { type CheckName, validateTemplate } from "../../tools/template/validator";

const broken = validateTemplate(loadTemplate("test/template/fixtures/broken.yaml"));
const found = (check: CheckName, text: string) =>
  broken.filter((p) => p.check === check && p.message.includes(text));

describe("template validator", () => {
  it("accepts the real template", () => {
    expect(validateTemplate(loadTemplate("template.yaml"))).toEqual([]);
  });

  it.each([
    ["cfn-spec", "unknown property VisibilityTimeoutSecs"],
    ["cfn-spec", "missing required property RoleArn"],
    ["getatt", "has no attribute Url"],
    ["getatt", "GetAtt of unknown resource NoSuchTopic"],
    ["ref", "Ref to unknown name MissingTable"],
    ["sam-schema", 'unknown property "BatchSizee"'],
    ["mapping", "unknown mapping Sizes"],
    ["condition", "unknown condition IsStaging"],
  ] as const)("reports %s: %s", (check, text) => {
    expect(found(check, text)).toHaveLength(1);
  });

  it("reports nothing else in the broken fixture", () => {
    expect(broken.map((p) => `${p.check}: ${p.message}`).sort()).toHaveLength(10);
  });

  it("knows the resources SAM generates and pseudo parameters", () => {
    const t = parseTemplate(`
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {Runtime: nodejs24.x, Handler: index.handler, CodeUri: ./, Events: {Api: {Type: HttpApi}}}
  Role:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: p
      Roles: [!Ref FnRole]
      PolicyDocument: {Statement: [{Effect: Allow, Action: "*", Resource: !Sub "arn:aws:execute-api:\${AWS::Region}:\${AWS::AccountId}:\${ServerlessHttpApi}/*"}]}
Outputs:
  Arn: {Value: !GetAtt Fn.Arn}
`);
    expect(validateTemplate(t)).toEqual([]);
  });

  it("takes any attribute of a custom resource (the Data its function answers), not of an AWS type", () => {
    const t = parseTemplate(`
Resources:
  Setup:
    Type: Custom::Setup
    Properties: {ServiceToken: arn:aws:lambda:eu-west-1:123456789012:function:f}
  Topic:
    Type: AWS::SNS::Topic
Outputs:
  Notes: {Value: !GetAtt Setup.Notes}
  Wrong: {Value: !GetAtt Topic.Notes}
`);
    expect(validateTemplate(t).map((p) => p.message)).toEqual([
      expect.stringContaining("Topic (AWS::SNS::Topic) has no attribute Notes"),
    ]);
  });

  it("parses CloudFormation short-form tags into long form", () => {
    const t = parseTemplate(readFileSync("template.yaml", "utf8"));
    const fn = t.Resources.IndexerFunction?.Properties as Record<string, unknown>;
    expect(fn.Role).toEqual({ "Fn::GetAtt": ["IndexerRole", "Arn"] });
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string, not a JS template
    expect(fn.FunctionName).toEqual({ "Fn::Sub": "cdc-indexer-${Stage}" });
  });
});
