/** Index settings come from clients: a key named `__proto__` is a setting name, never the prototype. */
import { describe, expect, it } from "vitest";
import { OpenSearchEmulator } from "../../../tools/opensearch-emulator/server";
import { nestSettings } from "../../../tools/opensearch-emulator/settings";

describe("emulated index settings", () => {
  it("nest a __proto__ key as a setting, without touching Object.prototype", () => {
    const nested = nestSettings({ "index.__proto__.polluted": "yes", "index.number_of_shards": "1" });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.stringify(nested)).toBe('{"index":{"__proto__":{"polluted":"yes"},"number_of_shards":"1"}}');
    expect(JSON.stringify(nestSettings({ "index.__proto__": "x" }))).toBe('{"index":{"__proto__":"x"}}');
  });

  it("answer GET for an index created with such a key", () => {
    const emulator = new OpenSearchEmulator();
    const url = (path: string) => new URL(`http://emulator${path}`);
    emulator.handle("PUT", url("/t"), '{"settings": {"index": {"__proto__": {"polluted": "yes"}}}}');
    const [status, body] = emulator.handle("GET", url("/t"), "");
    expect(status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.stringify(body)).toContain('"__proto__":{"polluted":"yes"}');
  });

  it("answer GET _settings with what OpenSearch adds at creation, nested or flat", () => {
    const emulator = new OpenSearchEmulator();
    const url = (path: string) => new URL(`http://emulator${path}`);
    emulator.handle("PUT", url("/t"), '{"settings": {"index": {"refresh_interval": "5s"}}}');
    const [status, body] = emulator.handle("GET", url("/t/_settings"), "");
    expect(status).toBe(200);
    expect(body).toEqual({
      t: {
        settings: {
          index: {
            refresh_interval: "5s",
            number_of_shards: "1",
            number_of_replicas: "1",
            uuid: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
            creation_date: expect.stringMatching(/^\d{13}$/),
            provided_name: "t",
          },
        },
      },
    });
    const flat = emulator.handle("GET", url("/t/_settings?flat_settings=true"), "")[1] as {
      t: { settings: Record<string, string> };
    };
    expect(flat.t.settings["index.refresh_interval"]).toBe("5s");
    // GET /{index} answers the same settings.
    expect((emulator.handle("GET", url("/t"), "")[1] as { t: { settings: unknown } }).t.settings).toEqual(
      (body as { t: { settings: unknown } }).t.settings,
    );
  });
});
