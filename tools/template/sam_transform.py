"""The SAM transform of template.yaml to plain CloudFormation, offline (aws-sam-translator).

Usage: python3 sam_transform.py template.yaml > transformed.json. Local code folders are replaced by S3
URIs as `sam package` does. Managed policies are not looked up in
IAM (no account here): the template names none by short name. Exits 1 with the transform's errors.
"""
import json
import os
import sys

from samtranslator.model.exceptions import InvalidDocumentException
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class NoManagedPolicies:
    """SAM asks for the account's managed policies only to expand short names; this template uses none."""

    def load(self):
        return {}


def package(template):
    """What `sam package` does before the transform: local code folders become S3 objects."""
    for logical_id, resource in template.get("Resources", {}).items():
        props = resource.get("Properties") or {}
        for key in ("CodeUri", "ContentUri"):
            if isinstance(props.get(key), str) and not props[key].startswith("s3://"):
                props[key] = f"s3://sam-package/{logical_id}.zip"


def main(path):
    # The region only names ARNs in the output; nothing is called.
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    with open(path, encoding="utf-8") as f:
        template = yaml_parse(f.read())
    package(template)
    try:
        output = transform(template, {}, NoManagedPolicies())
    except InvalidDocumentException as e:
        for cause in e.causes:
            print(f"SAM transform: {cause.message}", file=sys.stderr)
        return 1
    json.dump(output, sys.stdout, indent=1, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
