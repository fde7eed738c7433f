package dev.nexusrouter.router.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.router.ops.RouterJvm;
import dev.nexusrouter.router.testing.Closing;
import dev.nexusrouter.router.testing.Configs;
import dev.nexusrouter.router.testing.Wire;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile requests on raw sockets against the real router process: request smuggling, oversized
 * headers, invalid methods, path tricks and a slow-loris client. Each is rejected, or routed
 * exactly as its normalised form would be — never to an upstream the rule table does not choose.
 * Every router error is registry JSON, and no log line carries a credential.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileRequestsFaultsIT {
  static final String AUTH = "Authorization: Bearer SECRET-xyz\r\n";
  static final String TOKEN = "access_token=SECRET-abc";

  @TempDir static Path dir;
  static RawUpstream group;
  static RawUpstream hosted;
  static RouterJvm router;
  static Path accessLog;

  /** Where a request may go: the group, the hosted upstream, or nowhere (rejected). */
  enum To {
    G,
    H,
    REJECT,
    G_OR_REJECT,
    H_OR_REJECT
  }

  @BeforeAll
  static void start() throws Exception {
    group = new RawUpstream("group").script(s -> RawUpstream.Action.ok(200));
    hosted = new RawUpstream("hosted").script(s -> RawUpstream.Action.ok(202));
    accessLog = dir.resolve("access.log");
    String yaml =
        Configs.registry(
            group.url(),
            hosted.url(),
            "access-log: {path: \""
                + accessLog
                + "\", format: json}\n"
                + "client: {header-timeout: 2s, idle-timeout: 3s, body-timeout: 3s}\n",
            "read-timeout: 5s, ");
    router = RouterJvm.start(dir, "hostile", yaml, "128m", 4096);
  }

  @AfterAll
  static void stop() {
    Closing.all(router, group, hosted);
  }

  /**
   * Sends one raw request and checks where it went. {@code parserLevel}: Undertow's HTTP parser may
   * refuse it before any handler runs, with its fixed bare {@code 400} and a closed connection (not
   * reachable by the router; see docs/operations.md#errors-that-cannot-be-json); every other error
   * must be registry JSON.
   */
  static Wire.Outcome check(String name, String raw, To to, boolean parserLevel) throws Exception {
    int g0 = group.seen().size();
    int h0 = hosted.seen().size();
    Wire.Outcome o = Wire.send(router.port(), raw, 15_000);
    Thread.sleep(
        150); // a forwarded request reaches the fake upstream within this (not a speed test)
    List<RawUpstream.Seen> g = group.seen().subList(g0, group.seen().size());
    List<RawUpstream.Seen> h = hosted.seen().subList(h0, hosted.seen().size());
    String ctx = name + ": " + o + "\n group saw " + g + "\n hosted saw " + h;
    System.out.printf("hostile %-40s -> %s | G%s H%s%n", name, statusLine(o), g, h);
    assertTrue(o.closed(), "the router must answer and close: " + ctx);
    for (Wire.Response r : o.responses()) {
      if (r.status() >= 400) {
        boolean bareParser400 = parserLevel && r.status() == 400 && r.body().length == 0;
        if (raw.startsWith("HEAD ") && !bareParser400) {
          // no body on HEAD: the registry error headers are all there is
          assertTrue(r.header("Content-Type").startsWith("application/json"), ctx);
          assertEquals("registry/2.0", r.header("Docker-Distribution-Api-Version"), ctx);
        } else if (!bareParser400) {
          Wire.assertRegistryJson(r);
        }
      }
    }
    boolean rejected = o.responses().isEmpty() || o.first().status() >= 400;
    switch (to) {
      case G -> {
        assertFalse(rejected, "expected routing to group: " + ctx);
        assertTrue(h.isEmpty() && !g.isEmpty(), ctx);
      }
      case H -> {
        assertFalse(rejected, "expected routing to hosted: " + ctx);
        assertTrue(g.isEmpty() && !h.isEmpty(), ctx);
      }
      case REJECT ->
          assertTrue(rejected && g.isEmpty() && h.isEmpty(), "expected rejection: " + ctx);
      case G_OR_REJECT -> assertTrue(h.isEmpty() && (rejected ? g.isEmpty() : !g.isEmpty()), ctx);
      case H_OR_REJECT -> assertTrue(g.isEmpty() && (rejected ? h.isEmpty() : !h.isEmpty()), ctx);
    }
    for (RawUpstream.Seen s : concat(g, h)) {
      assertFalse(s.path().contains("smuggled"), "a smuggled request reached an upstream: " + ctx);
      assertEquals("complete", s.end, "every forwarded body is well framed: " + ctx);
    }
    return o;
  }

  static List<RawUpstream.Seen> concat(List<RawUpstream.Seen> a, List<RawUpstream.Seen> b) {
    List<RawUpstream.Seen> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  static String statusLine(Wire.Outcome o) {
    if (o.responses().isEmpty()) {
      return "no response (" + (o.closed() ? "closed" : "timeout") + ")";
    }
    StringBuilder sb = new StringBuilder();
    for (Wire.Response r : o.responses()) {
      sb.append(r.status())
          .append(' ')
          .append(r.text().length() > 80 ? r.text().substring(0, 80) : r.text())
          .append("; ");
    }
    return sb.toString();
  }

  /** {@code te} with a Content-Length is refused; alone it must reach {@code to} (see check). */
  private static Wire.Outcome teAlone(
      String te, String upload, String body, To to, boolean parserLevel) throws Exception {
    teWithContentLengthIsRejected(te, upload, body);
    return check(
        "TE [" + te + "] alone",
        req("PATCH", upload, "Transfer-Encoding:" + te + "\r\n", body),
        to,
        parserLevel);
  }

  /** Transfer-Encoding and Content-Length together: the classic smuggling pair, always refused. */
  private static void teWithContentLengthIsRejected(String te, String target, String body)
      throws Exception {
    check(
        "TE [" + te + "] + CL",
        req(
            "PATCH",
            target,
            "Content-Length: " + body.length() + "\r\nTransfer-Encoding:" + te + "\r\n",
            body),
        To.REJECT,
        true);
  }

  static String req(String method, String target, String headers, String body) {
    return method
        + " "
        + target
        + " HTTP/1.1\r\nHost: localhost\r\n"
        + AUTH
        + headers
        + "Connection: close\r\n\r\n"
        + body;
  }

  static final String INNER =
      "GET /v2/smuggled/manifests/x HTTP/1.1\r\nHost: localhost\r\n" + AUTH + "\r\n";

  @Test
  @Order(1)
  void requestSmuggling() throws Exception {
    String upload = "/v2/team/app/blobs/uploads/s1?" + TOKEN;
    // CL + TE: a front end trusting CL and a back end trusting TE (or the reverse) would desync
    String chunkedThenInner = "0\r\n\r\n" + INNER;
    check(
        "CL+TE",
        req(
            "PATCH",
            upload,
            "Content-Length: " + chunkedThenInner.length() + "\r\nTransfer-Encoding: chunked\r\n",
            chunkedThenInner),
        To.H_OR_REJECT,
        true);
    check(
        "TE+CL (reverse order)",
        req(
            "PATCH",
            upload,
            "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n",
            chunkedThenInner),
        To.H_OR_REJECT,
        true);
    // plain "chunked" (any case, optional whitespace) is a chunked body: "0" ends it, and the
    // request after it is a pipelined one the router never processes (Connection: close)
    for (String te : new String[] {" chunked", "chunked ", "CHUNKED", "\tchunked"}) {
      Wire.Outcome o = teAlone(te, upload, chunkedThenInner, To.H, false);
      assertEquals(1, o.responses().size(), o::toString);
    }
    // any other coding is refused with 501 JSON (nginx does the same), never forwarded
    for (String te :
        new String[] {
          "xchunked",
          "chunked, identity",
          "identity, chunked",
          "chunked;q=1",
          "gzip, chunked",
          "identity"
        }) {
      Wire.Outcome o = teAlone(te, upload, chunkedThenInner, To.REJECT, true);
      if (!o.responses().isEmpty() && o.first().body().length > 0) {
        Wire.assertRegistryError(o.first(), 501);
      }
    }
    check(
        "TE with space before colon",
        req("PATCH", upload, "Transfer-Encoding : chunked\r\nContent-Length: 5\r\n", "hello"),
        To.H_OR_REJECT,
        true);
    check(
        "two TE headers",
        req(
            "PATCH",
            upload,
            "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n",
            chunkedThenInner),
        To.REJECT,
        true);
    check(
        "duplicate differing Content-Length",
        req(
            "PATCH",
            upload,
            "Content-Length: 5\r\nContent-Length: " + (5 + INNER.length()) + "\r\n",
            "hello" + INNER),
        To.H_OR_REJECT,
        true);
    check(
        "Content-Length list 5, 40",
        req("PATCH", upload, "Content-Length: 5, 40\r\n", "hello" + INNER),
        To.H_OR_REJECT,
        true);
    check(
        "negative Content-Length",
        req("PATCH", upload, "Content-Length: -1\r\n", "hello"),
        To.H_OR_REJECT,
        true);
    check(
        "GET with a body carrying a request",
        req(
            "GET",
            "/v2/team/app/manifests/1.0?" + TOKEN,
            "Content-Length: " + INNER.length() + "\r\n",
            INNER),
        To.G_OR_REJECT,
        true);
  }

  @Test
  @Order(2)
  void oversizedHeadersGet431Json() throws Exception {
    String big = "X-Big: " + "a".repeat(100 * 1024) + "\r\n";
    Wire.Outcome o =
        check(
            "100 KiB header", req("GET", "/v2/team/app/manifests/1.0", big, ""), To.REJECT, false);
    Wire.assertRegistryError(o.first(), 431);
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 150; i++) {
      many.append("X-H").append(i).append(": ").append("b".repeat(600)).append("\r\n");
    }
    o =
        check(
            "150 headers of 600 bytes",
            req("GET", "/v2/team/app/manifests/1.0", many.toString(), ""),
            To.REJECT,
            false);
    Wire.assertRegistryError(o.first(), 431);
    // beyond Undertow's own parser limit (2 x max-header-size, at least 128 KiB): its bare 400
    String huge = "X-Huge: " + "c".repeat(2 << 20) + "\r\n";
    check(
        "2 MiB header (parser limit)",
        req("GET", "/v2/team/app/manifests/1.0", huge, ""),
        To.REJECT,
        true);
    // just under the limit still works
    check(
        "60 KiB header",
        req("GET", "/v2/team/app/manifests/1.0", "X-Ok: " + "d".repeat(60 * 1024) + "\r\n", ""),
        To.G,
        false);
  }

  @Test
  @Order(3)
  void invalidMethods() throws Exception {
    check("method with @", req("G@T", "/v2/team/app/manifests/1.0", "", ""), To.REJECT, true);
    check(
        "empty method",
        " /v2/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        To.REJECT,
        true);
    Wire.assertRegistryError(
        check("lower-case get", req("get", "/v2/team/app/manifests/1.0", "", ""), To.REJECT, false)
            .first(),
        405);
    Wire.assertRegistryError(
        check(
                "unknown method FOO",
                req("FOO", "/v2/team/app/manifests/1.0", "", ""),
                To.REJECT,
                false)
            .first(),
        405);
    Wire.assertRegistryError(
        check("TRACE", req("TRACE", "/v2/team/app/manifests/1.0", "", ""), To.REJECT, false)
            .first(),
        405);
    check(
        "CONNECT",
        "CONNECT localhost:443 HTTP/1.1\r\nHost: localhost:443\r\n"
            + AUTH
            + "Connection: close\r\n\r\n",
        To.REJECT,
        true);
    check("HTTP/0.9 style", "GET /v2/\r\n\r\n", To.REJECT, true);
    check(
        "HTTP/2.0 on h1",
        "GET /v2/ HTTP/2.0\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        To.G_OR_REJECT,
        true);
  }

  @Test
  @Order(4)
  void pathTricks() throws Exception {
    String[][] rejected = {
      {"GET", "/v2/team/app/../other/manifests/1.0"},
      {"GET", "/v2/team/%2e%2e/other/manifests/1.0"},
      {"GET", "/v2/team/%2E%2e/blobs/sha256:" + "0".repeat(64)},
      {"PATCH", "/v2/team/app/blobs/uploads/u1/../../../manifests/1.0"},
      {"PUT", "/v2/team/app/blobs/uploads/%2e%2e/%2e%2e/manifests/1.0"},
      {"GET", "/v2/team%2Fapp/manifests/1.0"},
      {"GET", "/v2/team%2fapp/blobs/sha256:" + "0".repeat(64)},
      {"GET", "/v2/team/app/manifests/..%2F..%2Fx"},
      {"GET", "/v2//team/app/manifests/1.0"},
      {"GET", "//v2/team/app/manifests/1.0"},
      {"GET", "/v2/team/app//manifests/1.0"},
      {"GET", "/./v2/team/app/manifests/1.0"},
      {"GET", "/v2/./team/app/manifests/1.0"},
      {"GET", "/v2/team/app/manifests/%2e"},
      {"HEAD", "/v2/team%5capp/manifests/1.0"},
      {"GET", "/v2/team/app%00/manifests/1.0"},
      {"GET", "/v2/team/app/manifests/1.0%"},
      {"GET", "/repository/../v2/team/app/manifests/1.0"},
      {"GET", "/repository/%2e%2e/v2/team/app/manifests/1.0"},
    };
    for (String[] r : rejected) {
      String body = r[0].equals("PATCH") || r[0].equals("PUT") ? "hello" : "";
      String hdr = body.isEmpty() ? "" : "Content-Length: 5\r\n";
      check(r[0] + " " + r[1], req(r[0], r[1] + "?" + TOKEN, hdr, body), To.REJECT, true);
    }
    // raw characters a parser may refuse outright
    check("backslash", req("GET", "/v2/team\\..\\app/manifests/1.0", "", ""), To.REJECT, true);
    check(
        "space in path",
        "GET /v2/team app/manifests/1.0 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        To.REJECT,
        true);
    // absolute-form: routed as its normalised (origin-form) target would be
    check(
        "absolute-form GET manifest",
        req("GET", "http://localhost/v2/team/app/manifests/1.0", "", ""),
        To.G_OR_REJECT,
        true);
    check(
        "absolute-form PATCH upload",
        req(
            "PATCH",
            "http://localhost/v2/team/app/blobs/uploads/u1",
            "Content-Length: 5\r\n",
            "hello"),
        To.H_OR_REJECT,
        true);
    // path parameters: Nexus's Jetty strips ";x=1" before matching, the route table would not
    for (String[] r :
        new String[][] {
          {"GET", "/v2/team/app/manifests;x=1/1.0"},
          {"HEAD", "/v2/team/app/manifests;x=1/1.0"},
          {"PATCH", "/v2/team/app/blobs/uploads;x=1/u1"},
          {"GET", "/v2/team/app;x=1/manifests/1.0"},
        }) {
      String body = r[0].equals("PATCH") ? "hello" : "";
      String hdr = body.isEmpty() ? "" : "Content-Length: 5\r\n";
      Wire.Outcome o =
          check(
              "path parameter " + r[0] + " " + r[1], req(r[0], r[1], hdr, body), To.REJECT, false);
      assertEquals(400, o.first().status(), o::toString);
    }
    // plain forms as the reference
    check("plain pull", req("GET", "/v2/team/app/manifests/1.0?" + TOKEN, "", ""), To.G, false);
    check(
        "plain push",
        req("PATCH", "/v2/team/app/blobs/uploads/u1?" + TOKEN, "Content-Length: 5\r\n", "hello"),
        To.H,
        false);
  }

  @Test
  @Order(5)
  void slowLorisIsDropped() throws Exception {
    String head = "GET /v2/team/app/manifests/1.0 HTTP/1.1\r\nHost: localhost\r\n" + AUTH;
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), router.port()), 10_000);
      s.setSoTimeout(200);
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      long t0 = System.nanoTime();
      boolean dropped = false;
      int sent = 0;
      while (System.nanoTime() - t0 < Duration.ofSeconds(30).toNanos()) {
        try {
          out.write(head.charAt(sent % head.length()));
          out.flush();
          sent++;
        } catch (IOException e) {
          dropped = true;
          break;
        }
        try {
          int c = in.read();
          if (c < 0) {
            dropped = true;
            break;
          }
          // a response: it must be registry JSON, then the connection ends
          Wire.Outcome o = Wire.readAll(in);
          throw new AssertionError("unexpected response to a slow loris: " + (char) c + o.raw());
        } catch (java.net.SocketTimeoutException e) {
          // still open
        } catch (IOException e) {
          dropped = true;
          break;
        }
      }
      long ms = (System.nanoTime() - t0) / 1_000_000;
      System.out.printf(
          "slow loris dropped after %d ms, %d header bytes (header-timeout 2s)%n", ms, sent);
      assertTrue(dropped, "the slow client was not dropped within 30 s");
      assertTrue(ms < 15_000, "dropped after " + ms + " ms");
    }
    // an idle connection that never sends anything is dropped too
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), router.port()), 10_000);
      s.setSoTimeout(30_000);
      long t0 = System.nanoTime();
      int c;
      try {
        c = s.getInputStream().read();
      } catch (IOException e) {
        c = -1;
      }
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertEquals(-1, c, "idle connection got data");
      assertTrue(ms < 20_000, "idle connection dropped after " + ms + " ms");
    }
    // the router is fine
    check("after slow loris", req("GET", "/v2/", "", ""), To.G, false);
  }

  @Test
  @Order(6)
  void noCredentialInAnyLogLine() throws Exception {
    // errors from the router itself, with credentials in header and query
    check(
        "upstream error path",
        req("GET", "/v2/team/app/manifests/%2e%2e?" + TOKEN, "", ""),
        To.REJECT,
        true);
    check(
        "unclassified",
        req("OPTIONS", "/v2/team/app/weird/path?" + TOKEN, "", ""),
        To.H_OR_REJECT,
        true);
    RouterJvm.await(
        "access log lines",
        Duration.ofSeconds(10),
        () -> {
          try {
            return Files.exists(accessLog) && Files.readString(accessLog).contains("weird");
          } catch (IOException e) {
            return false;
          }
        });
    String logs = Files.readString(accessLog) + router.stderrText() + router.stdoutText();
    assertFalse(logs.isEmpty());
    for (String secret : new String[] {"SECRET-xyz", "SECRET-abc", "Bearer"}) {
      assertFalse(logs.contains(secret), secret + " found in the logs:\n" + grep(logs, secret));
    }
    assertTrue(Files.readString(accessLog).contains("access_token=REDACTED"), "query redaction");
  }

  static String grep(String text, String s) {
    StringBuilder sb = new StringBuilder();
    for (String l : text.split("\n")) {
      if (l.contains(s)) {
        sb.append(l).append('\n');
      }
    }
    return sb.toString();
  }
}
