package dev.nexusrouter.router.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nexusrouter.router.faults.RawUpstream;
import dev.nexusrouter.router.ops.RouterJvm;
import dev.nexusrouter.router.server.RouterServer;
import dev.nexusrouter.router.testing.Configs;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin status page over plain HTTP: upstream states from the health checks, route counts and
 * router-authored errors from real traffic, the redirect from {@code /}, and nothing secret in it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StatusPageIT {
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  HttpResponse<String> get(int port, String path, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(20));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  JsonNode status(RouterServer r) throws Exception {
    HttpResponse<String> res = get(r.adminPort(), "/status.json");
    assertEquals(200, res.statusCode(), res.body());
    return JSON.readTree(res.body());
  }

  static JsonNode find(JsonNode list, String key, String value) {
    for (JsonNode n : list) {
      if (n.path(key).asText().equals(value)) {
        return n;
      }
    }
    return JSON.createObjectNode();
  }

  @Test
  void showsUpstreamStatesRouteCountsAndRouterErrorsWithoutSecrets() throws Exception {
    String down = "http://127.0.0.1:" + closedPort();
    try (RawUpstream g = new RawUpstream("group");
        RouterServer r =
            Configs.inProcess(
                dir,
                Configs.registry(
                    g.url(), down, "admin: {port: 0}\naccess-log: {path: \"off\"}\n", ""))) {
      int port = r.port(0);
      assertEquals(200, get(port, "/v2/team/app/manifests/1.0?token=s3cr3t-query").statusCode());
      HttpResponse<String> failed =
          http.send(
              HttpRequest.newBuilder(
                      URI.create(
                          "http://127.0.0.1:"
                              + port
                              + "/v2/team/app/blobs/uploads/?access_token=s3cr3t-query"))
                  .header("Authorization", "Bearer s3cr3t-header")
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .timeout(Duration.ofSeconds(20))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(503, failed.statusCode(), "hosted is down: " + failed.body());

      RouterJvm.await(
          "hosted checked and down",
          Duration.ofSeconds(20),
          () -> {
            try {
              return find(status(r).path("upstreams"), "name", "hosted")
                  .path("state")
                  .asText()
                  .equals("down");
            } catch (Exception e) {
              return false;
            }
          });
      JsonNode s = status(r);
      assertEquals(
          "up", find(s.path("upstreams"), "name", "group").path("state").asText(), s.toString());
      JsonNode hosted = find(s.path("upstreams"), "name", "hosted");
      assertEquals("down", hosted.path("state").asText());
      assertTrue(hosted.has("latencyMs"), hosted.toString());
      assertEquals(1, find(s.path("upstreams"), "name", "group").path("requests").asLong());

      long total1m = 0;
      for (JsonNode row : s.path("routes")) {
        total1m += row.path("count1m").asLong();
      }
      assertTrue(total1m >= 2, "both requests counted\n" + s);

      String text = s.toString();
      assertFalse(text.contains("s3cr3t"), "a secret reached the status page\n" + text);
      assertFalse(text.toLowerCase().contains("authorization"), text);

      HttpResponse<String> root = get(r.adminPort(), "/");
      assertEquals(302, root.statusCode());
      assertEquals("status", root.headers().firstValue("Location").orElse(""));
      HttpResponse<String> html = get(r.adminPort(), "/status");
      assertEquals(200, html.statusCode());
      assertTrue(html.body().contains("fetch(\"status.json\""), "relative JSON URL");
      assertFalse(html.body().contains("src=\"http"), "no external assets");
      assertFalse(html.body().contains("s3cr3t"), html.body());
      assertTrue(html.body().contains("data-upstream=\"hosted\""), html.body());
      assertTrue(
          html.headers()
              .firstValue("Content-Security-Policy")
              .orElse("")
              .contains("default-src 'none'"));
      assertEquals(
          200, get(r.adminPort(), "/healthz").statusCode(), "other admin paths still work");
    }
  }

  @Test
  void routerErrorsAreListedNewestFirst() throws Exception {
    String down = "http://127.0.0.1:" + closedPort();
    try (RouterServer r =
        Configs.inProcess(
            dir,
            Configs.registry(down, down, "admin: {port: 0}\naccess-log: {path: \"off\"}\n", ""))) {
      int port = r.port(0);
      assertEquals(503, get(port, "/v2/team/one/manifests/1?x=secret1").statusCode());
      assertEquals(400, get(port, "/v2/team/%2e%2e/manifests/1").statusCode());
      JsonNode errors = status(r).path("errors");
      assertEquals(2, errors.size(), errors.toString());
      assertEquals(400, errors.get(0).path("status").asInt());
      assertEquals("NAME_INVALID", errors.get(0).path("code").asText());
      assertEquals(503, errors.get(1).path("status").asInt());
      assertEquals("UNAVAILABLE", errors.get(1).path("code").asText());
      assertEquals("/v2/team/one/manifests/1", errors.get(1).path("path").asText());
      assertFalse(errors.toString().contains("secret1"));
      JsonNode group = find(status(r).path("upstreams"), "name", "group");
      assertEquals("refused", group.path("lastError").asText(), group.toString());
    }
  }
}
