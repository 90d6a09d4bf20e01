/** HTTP/2 straight to our server as the aggregator talks to it: front-proxy certificate, admin headers. */
import http2 from "node:http2";
import type { ClusterSet } from "../../harness/clusterset.js";

export interface DirectResponse {
  status: number;
  body: string;
}

export class Direct {
  private session: http2.ClientHttp2Session;
  constructor(cs: ClusterSet, url = cs.server.url) {
    // Headers of any size are sent (Node's client stops at 64 KiB by default): what the server takes is the test.
    this.session = http2.connect(url, { ca: cs.server.caPem, cert: cs.frontProxyClient.cert, key: cs.frontProxyClient.key, maxSendHeaderBlockLength: 4 << 20 });
    this.session.on("error", () => undefined);
  }

  request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<DirectResponse> {
    return new Promise((resolve, reject) => {
      const stream = this.session.request(
        { ":method": method, ":path": path, "x-remote-user": "admin", "x-remote-group": "system:masters", ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers },
        { endStream: body === undefined },
      );
      let status = 0;
      const chunks: Buffer[] = [];
      stream.on("response", (h) => (status = Number(h[":status"])));
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => resolve({ status, body: Buffer.concat(chunks).toString("utf8") }));
      stream.on("error", reject);
      if (body !== undefined) stream.end(typeof body === "string" ? body : JSON.stringify(body));
    });
  }

  close(): void {
    this.session.close();
  }
}
