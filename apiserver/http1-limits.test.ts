import https from "node:https";
import http2 from "node:http2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCertificate } from "./tls/mint.js";
import { answerClientError, goHeadError, http1MaxHeaderBytes } from "./http1-limits.js";

describe("goHeadError (Go's answers to request heads it refuses)", () => {
  it.each([
    ["HPE_HEADER_OVERFLOW", "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n431 Request Header Fields Too Large"],
    ["HPE_INVALID_METHOD", "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request"],
    ["ECONNRESET", undefined],
    [undefined, undefined],
  ])("%s", (code, want) => expect(goHeadError(code)).toBe(want));
});

describe("an HTTP/1.1 head on node:http2 with allowHTTP1, as kube-apiserver takes it", () => {
  let server: http2.Http2SecureServer;
  let port = 0;
  beforeAll(async () => {
    const { cert, key } = await createCertificate({ commonName: "localhost", hosts: ["127.0.0.1"] });
    server = http2.createSecureServer({ cert, key, allowHTTP1: true }, (_req, res) => res.end("ok"));
    (server as unknown as { maxHeaderSize: number }).maxHeaderSize = http1MaxHeaderBytes;
    server.on("clientError", answerClientError);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => server.close());
  const get = (headers: Record<string, string>, path = "/") =>
    new Promise<{ status: number; type: string | undefined; body: string }>((resolve, reject) => {
      const req = https.request({ host: "127.0.0.1", port, path, headers, rejectUnauthorized: false, agent: false }, (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode!, type: res.headers["content-type"], body }));
      });
      req.on("error", reject);
      req.end();
    });

  it("takes a head of up to 1 MiB (Node's default stops at 16 KiB)", async () => {
    expect((await get({ "x-filler": "a".repeat(1_000_000) })).status).toBe(200);
    expect((await get({}, `/?q=${"a".repeat(1_000_000)}`)).status).toBe(200);
  });
  it("answers 431 as Go does beyond", async () => {
    expect(await get({ "x-filler": "a".repeat(1_100_000) })).toEqual({ status: 431, type: "text/plain; charset=utf-8", body: "431 Request Header Fields Too Large" });
    expect((await get({}, `/?q=${"a".repeat(1_100_000)}`)).status).toBe(431);
  });
});
