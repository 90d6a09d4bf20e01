import { isCelError, parse, plan } from "@bufbuild/cel";
import { describe, expect, it } from "vitest";
import { ENV } from "./env.js";

const ev = (src: string, self?: unknown) => {
  const r = plan(ENV, parse(src))(self === undefined ? {} : { self } as never);
  return isCelError(r) ? `error: ${r.message}` : r;
};

describe("url library", () => {
  it("isURL accepts what url.ParseRequestURI accepts", () => {
    for (const ok of ["https://example.com", "http://h:8080/p?q=1", "/absolute/path", "mailto:a@b", "http://[::1]:80/"]) expect(ev("isURL(self)", ok)).toBe(true);
    for (const bad of ["", "relative/path", "example.com", "http://h:port/", "http://a b/", "http://h/%zz", ":x"]) expect(ev("isURL(self)", bad)).toBe(false);
  });

  it("reads the parts as net/url does", () => {
    expect(ev("url('https://u@Example.com:8443/a%20b/c?x=1&x=2&y#frag').getScheme()")).toBe("https");
    expect(ev("url('https://example.com:8443/a').getHost()")).toBe("example.com:8443");
    expect(ev("url('https://example.com:8443/a').getHostname()")).toBe("example.com");
    expect(ev("url('https://example.com:8443/a').getPort()")).toBe("8443");
    expect(ev("url('https://[::1]:80/').getHostname()")).toBe("::1");
    expect(ev("url('https://[::1]/').getPort()")).toBe("");
    expect(ev("url('https://h/a%20b/c').getEscapedPath()")).toBe("/a%20b/c");
    expect(ev("url('https://h/a b').getEscapedPath()")).toBe("/a%20b");
    expect(ev("url('https://h/p?x=1&x=2&y=a+b').getQuery()['x'] == ['1', '2']")).toBe(true);
    expect(ev("url('https://h/p?x=1&y=a+b').getQuery()['y'][0]")).toBe("a b");
    expect(ev("url('https://h/p#frag').getEscapedPath()")).toBe("/p");
    expect(ev("isURL(self) && url(self).getHost() != ''", "/only/a/path")).toBe(false);
  });

  it("url() of a bad URL is an error worded as kube's", () => {
    expect(ev("url('example.com')")).toBe('error: URL parse error during conversion from string: parse "example.com": invalid URI for request');
    expect(ev("url('http://h:x/')")).toBe(`error: URL parse error during conversion from string: parse "http://h:x/": invalid port ":x" after host`);
  });

  it("URLs compare by their text", () => {
    expect(ev("url('http://a/') == url('http://a/')")).toBe(true);
    expect(ev("url('http://a/') == url('http://b/')")).toBe(false);
  });
});
