package dev.nexusrouter.router.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nexusrouter.router.config.UpstreamConfig;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LocationRewriterTest {
  private static UpstreamConfig upstream(String name, String url, List<String> aliases) {
    Duration d = Duration.ofSeconds(1);
    return new UpstreamConfig(
        name, List.of(URI.create(url)), aliases, d, d, d, d, 1, 1, d, UpstreamConfig.Role.REGISTRY);
  }

  private final LocationRewriter rewriter =
      new LocationRewriter(
          List.of(
              upstream("hosted", "http://nexus:8086", List.of("nexus.internal:8086")),
              upstream("group", "http://10.0.0.5:8082", List.of()),
              upstream("path", "http://nexus:8081/repository/hub-group", List.of())));

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        // internal authorities become the client-facing base
        "http://nexus:8086/v2/a/blobs/uploads/u1?_state=x | https://reg.example.com:5443/v2/a/blobs/uploads/u1?_state=x",
        "http://NEXUS:8086/v2/a/blobs/uploads/u1 | https://reg.example.com:5443/v2/a/blobs/uploads/u1",
        "http://nexus.internal:8086/v2/token | https://reg.example.com:5443/v2/token",
        "http://10.0.0.5:8082/v2/token | https://reg.example.com:5443/v2/token",
        // path mode: prefix removed from internal, public and relative URLs
        "http://nexus:8081/repository/hub-group/v2/a/blobs/uploads/u1 | https://reg.example.com:5443/v2/a/blobs/uploads/u1",
        "https://reg.example.com:5443/repository/hub-group/v2/token | https://reg.example.com:5443/v2/token",
        "/repository/hub-group/v2/a/blobs/uploads/u1 | /v2/a/blobs/uploads/u1",
        // already public, relative, foreign: unchanged
        "https://reg.example.com:5443/v2/a/blobs/uploads/u1 | https://reg.example.com:5443/v2/a/blobs/uploads/u1",
        "/v2/a/blobs/uploads/u1 | /v2/a/blobs/uploads/u1",
        "https://s3.amazonaws.com/bucket/blob?X-Amz-Signature=abc | https://s3.amazonaws.com/bucket/blob?X-Amz-Signature=abc",
        "http://nexus:9999/v2/x | http://nexus:9999/v2/x",
        "http://nexus:8081/repository/other/v2/x | https://reg.example.com:5443/repository/other/v2/x",
        "/repository/hub-groupies/v2/x | /repository/hub-groupies/v2/x",
        "not a url | not a url"
      })
  void rewritesOnlyInternalAddressesAndPathModePrefixes(String in, String out) {
    assertEquals(out, rewriter.rewrite(in, "https://reg.example.com:5443"));
  }
}
