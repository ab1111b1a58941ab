import { describe, expect, it } from "vitest";
import { redactUrl } from "../../../tools/lib/redact-url";

describe("redactUrl", () => {
  it("hides the password of a URL that carries one, and only that", () => {
    expect(redactUrl("https://admin:Cdc-Test-Pa55!@localhost:9200")).toBe(
      "https://admin:****@localhost:9200",
    );
    expect(redactUrl("postgres://postgres:s3cr:et@127.0.0.1:5432/postgres")).toBe(
      "postgres://postgres:****@127.0.0.1:5432/postgres",
    );
  });

  it("leaves URLs without a password as they are", () => {
    for (const url of [
      "http://127.0.0.1:39593",
      "https://user@search.example:443/path",
      "http://host:9200/a@b",
      "https://host/?q=a:b@c",
    ])
      expect(redactUrl(url)).toBe(url);
  });
});
