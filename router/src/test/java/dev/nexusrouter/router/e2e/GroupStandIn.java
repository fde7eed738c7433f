package dev.nexusrouter.router.e2e;

import io.undertow.Undertow;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * The group part of a Nexus layout, and nothing more: GET and HEAD are asked of each member in
 * order (hosted, then the proxy) and the first answer that is not 404 is relayed, which is how a
 * Nexus docker(group) merges its members. Writes get 405, as on a group without a writable member.
 * Members are real {@code docker-registry} processes; only the merge is faked.
 */
final class GroupStandIn implements AutoCloseable {
  private static final List<String> RELAYED =
      List.of(
          "Content-Type",
          "Content-Length",
          "Docker-Content-Digest",
          "Docker-Distribution-Api-Version",
          "WWW-Authenticate",
          "Location",
          "Link",
          "ETag");

  private final List<String> members;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Undertow server;

  private GroupStandIn(List<String> members) {
    this.members = List.copyOf(members);
    this.server =
        Undertow.builder()
            .addHttpListener(0, "127.0.0.1")
            .setHandler(
                ex -> {
                  if (ex.isInIoThread()) {
                    ex.dispatch(this::handle);
                    return;
                  }
                  handle(ex);
                })
            .build();
  }

  static GroupStandIn start(String... memberUrls) {
    GroupStandIn g = new GroupStandIn(List.of(memberUrls));
    g.server.start();
    return g;
  }

  String url() {
    InetSocketAddress a = (InetSocketAddress) server.getListenerInfo().get(0).getAddress();
    return "http://127.0.0.1:" + a.getPort();
  }

  private void handle(HttpServerExchange ex) throws IOException, InterruptedException {
    ex.startBlocking();
    String method = ex.getRequestMethod().toString();
    if (!method.equals("GET") && !method.equals("HEAD")) {
      ex.setStatusCode(405);
      ex.endExchange();
      return;
    }
    String target =
        ex.getRequestURI() + (ex.getQueryString().isEmpty() ? "" : "?" + ex.getQueryString());
    for (int i = 0; i < members.size(); i++) {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(members.get(i) + target))
              .timeout(Duration.ofSeconds(60))
              .method(method, HttpRequest.BodyPublishers.noBody());
      for (String h : List.of("Accept", "Authorization", "Range")) {
        HeaderValues v = ex.getRequestHeaders().get(h);
        if (v != null) {
          v.forEach(value -> b.header(h, value));
        }
      }
      HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
      if (r.statusCode() == 404 && i < members.size() - 1) {
        r.body().close();
        continue;
      }
      ex.setStatusCode(r.statusCode());
      for (String h : RELAYED) {
        r.headers().allValues(h).forEach(v -> ex.getResponseHeaders().add(new HttpString(h), v));
      }
      try (InputStream in = r.body()) {
        if (method.equals("HEAD")) {
          in.transferTo(OutputStream.nullOutputStream());
          ex.getResponseHeaders().remove(Headers.TRANSFER_ENCODING);
          ex.endExchange();
          return;
        }
        try (OutputStream out = ex.getOutputStream()) {
          in.transferTo(out);
        }
      }
      return;
    }
  }

  @Override
  public void close() {
    server.stop();
  }
}
