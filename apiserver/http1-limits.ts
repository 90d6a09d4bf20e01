/**
 * HTTP/1.1 request heads as kube-apiserver's Go net/http server takes them: request line and headers up to
 * MaxHeaderBytes (1 MiB, kube-apiserver's setting) plus Go's 4 KiB read slack, and beyond that, or for a head that
 * does not parse, Go's own plain-text answer before it closes the connection. Node's HTTP/1.1 parser (under
 * node:http2's allowHTTP1) reads a server's `maxHeaderSize` and reports what it refuses as `clientError`;
 * without a handler there the connection was just dropped.
 */
import type { Duplex } from "node:stream";

/** http.Server's maxHeaderSize for the HTTP/1.1 connections of our port. */
export const http1MaxHeaderBytes = (1 << 20) + 4096;

const goErrorHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n";

/** What Go writes for a request head it refuses (net/http server.go, `publicErr`). */
export function goHeadError(code: string | undefined): string | undefined {
  if (code === "HPE_HEADER_OVERFLOW") return `HTTP/1.1 431 Request Header Fields Too Large${goErrorHeaders}431 Request Header Fields Too Large`;
  if (code?.startsWith("HPE_")) return `HTTP/1.1 400 Bad Request${goErrorHeaders}400 Bad Request`;
  // Resets and timeouts: Go closes without a word.
  return undefined;
}

/** How long a refused connection may stay open after the answer, for the client to read it and close. */
const lingerMs = 5_000;
const answered = new WeakSet<Duplex>();

/**
 * The server's `clientError` listener: Go's answer when there is one and the socket can still take it. The parser
 * keeps reading (and refusing) what the client still sends, one clientError per chunk: answered once, then the
 * connection is closed after the answer, as Go's closeWriteAndWait, so that the client reads it instead of a reset.
 */
export function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  if (answered.has(socket)) return;
  const answer = goHeadError(err.code);
  if (!answer || !socket.writable) {
    socket.destroy();
    return;
  }
  answered.add(socket);
  socket.write(answer, () => socket.end());
  setTimeout(() => socket.destroy(), lingerMs).unref();
}
