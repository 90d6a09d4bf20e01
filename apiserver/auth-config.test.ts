import { beforeAll, describe, expect, it } from "vitest";
import { parseAuthConfigMap, staticAuthConfig } from "./auth-config.js";
import { createCA, type PemKeyPair } from "./tls/mint.js";

let ca1: PemKeyPair;
let ca2: PemKeyPair;
beforeAll(async () => {
  [ca1, ca2] = await Promise.all([createCA("one"), createCA("two")]);
});

describe("parseAuthConfigMap", () => {
  it("reads the CAs and the JSON lists a 1.33 hub writes", () => {
    const cfg = parseAuthConfigMap({
      "client-ca-file": ca1.cert,
      "requestheader-client-ca-file": ca1.cert + ca2.cert,
      "requestheader-allowed-names": '["front-proxy-client"]',
      "requestheader-username-headers": '["X-Remote-User"]',
      "requestheader-uid-headers": '["X-Remote-Uid"]',
      "requestheader-group-headers": '["X-Remote-Group"]',
      "requestheader-extra-headers-prefix": '["X-Remote-Extra-"]',
    });
    expect(cfg).toEqual({
      clientCA: ca1.cert,
      requestHeader: {
        clientCA: ca1.cert + ca2.cert,
        allowedNames: ["front-proxy-client"],
        usernameHeaders: ["X-Remote-User"],
        uidHeaders: ["X-Remote-Uid"],
        groupHeaders: ["X-Remote-Group"],
        extraHeaderPrefixes: ["X-Remote-Extra-"],
      },
    });
  });

  it("treats absent keys as none (a 1.20 hub has no uid headers; a hub may have no front proxy)", () => {
    expect(parseAuthConfigMap({ "client-ca-file": ca1.cert })).toEqual({ clientCA: ca1.cert });
    const cfg = parseAuthConfigMap({ "requestheader-client-ca-file": ca1.cert, "requestheader-allowed-names": "null" });
    expect(cfg.requestHeader).toMatchObject({ allowedNames: [], uidHeaders: [], usernameHeaders: [] });
    expect(parseAuthConfigMap(undefined)).toEqual({});
  });

  it("refuses broken lists and CAs, naming the key", () => {
    expect(() => parseAuthConfigMap({ "requestheader-client-ca-file": ca1.cert, "requestheader-allowed-names": "front-proxy" })).toThrow(
      /requestheader-allowed-names: not a JSON array of strings/,
    );
    expect(() => parseAuthConfigMap({ "requestheader-client-ca-file": ca1.cert, "requestheader-group-headers": "[1]" })).toThrow(
      /requestheader-group-headers/,
    );
    expect(() => parseAuthConfigMap({ "client-ca-file": "garbage" })).toThrow(/client-ca-file holds no PEM certificate/);
  });
});

describe("StaticAuthConfig", () => {
  it("is ready at once, and set() swaps the snapshot and tells listeners", () => {
    const src = staticAuthConfig({ clientCA: ca1.cert });
    expect(src.ready()).toBe(true);
    const before = src.current();
    const seen: unknown[] = [];
    const off = src.onChange((c) => seen.push(c));
    src.set({ clientCA: ca2.cert });
    expect(src.current()).not.toBe(before);
    expect(src.current().clientCA).toBe(ca2.cert);
    expect(seen).toHaveLength(1);
    off();
    src.set({});
    expect(seen).toHaveLength(1);
  });
});
