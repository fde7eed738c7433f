package dev.nexusrouter.router.observe;

import static dev.nexusrouter.router.testing.Texts.assertContains;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nexusrouter.common.Json;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AccessLogFormatTest {
  private static AccessLogFormat.Entry entry(String uri, String query, String agent) {
    return new AccessLogFormat.Entry(
        Instant.parse("2026-11-27T10:15:30Z"),
        "10.1.2.3",
        "GET",
        uri,
        query,
        "HTTP/1.1",
        200,
        1234,
        null,
        agent,
        "R10",
        "group",
        12_500,
        null);
  }

  @Test
  void combinedIsNginxCombinedPlusRouteUpstreamAndTime() {
    String line =
        new AccessLogFormat("combined", ZoneOffset.UTC)
            .format(entry("/v2/team/app/manifests/1.0", null, "docker/27"));
    assertEquals(
        "10.1.2.3 - - [27/Nov/2026:10:15:30 +0000] \"GET /v2/team/app/manifests/1.0 HTTP/1.1\" 200"
            + " 1234 \"-\" \"docker/27\" route=R10 upstream=group rt=0.013",
        line);
  }

  @Test
  void secretQueryValuesNeverReachTheLog() {
    String line =
        new AccessLogFormat("combined", ZoneOffset.UTC)
            .format(
                entry(
                    "/v2/token",
                    "service=x&access_token=abc&refresh_token=def&password=hunter2&scope=repository:a:pull",
                    "x"));
    assertFalse(line.contains("abc") || line.contains("def") || line.contains("hunter2"), line);
    assertContains(
        line, "service=x&access_token=REDACTED&refresh_token=REDACTED", "scope=repository:a:pull");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "apikey",
        "api_key",
        "API-Key",
        "x-api-key",
        "jwt",
        "id_jwt",
        "pwd",
        "pass",
        "passwd",
        "session",
        "sessionid",
        "session_id",
        "sid",
        "access_token",
        "client_secret",
        "X-Amz-Signature",
        "X-Amz-Credential",
        "private_key",
        "%74oken",
        "pass%77ord",
        "api%5Fkey"
      })
  void everySecretLookingNameIsRedactedInAnyForm(String name) {
    assertEquals("a=1&" + name + "=REDACTED", AccessLogFormat.redactQuery("a=1&" + name + "=s3"));
    assertEquals("a=1;" + name + "=REDACTED", AccessLogFormat.redactQuery("a=1;" + name + "=s3"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"scope", "service", "n", "last", "digest", "mount", "from", "account"})
  void ordinaryRegistryParametersStay(String name) {
    assertEquals(name + "=v", AccessLogFormat.redactQuery(name + "=v"));
  }

  @Test
  void semicolonSeparatedSecretsAndEmptyPartsKeepTheirShape() {
    assertEquals(
        "a=1;token=REDACTED&&b;session=REDACTED",
        AccessLogFormat.redactQuery("a=1;token=x&&b;session=y"));
  }

  @Test
  void theRefererIsRedactedLikeTheRequest() {
    String line =
        new AccessLogFormat("combined", ZoneOffset.UTC)
            .format(
                new AccessLogFormat.Entry(
                    Instant.parse("2026-11-27T10:15:30Z"),
                    "10.1.2.3",
                    "GET",
                    "/v2/",
                    null,
                    "HTTP/1.1",
                    200,
                    1,
                    "https://user:hunter2@ui.example.com/login?jwt=eyJ.x&next=/a#token=frag",
                    "ua",
                    "R1",
                    "group",
                    1,
                    null));
    assertFalse(line.contains("hunter2") || line.contains("eyJ") || line.contains("user:"), line);
    assertTrue(
        line.contains("\"https://ui.example.com/login?jwt=REDACTED&next=/a#token=frag\""), line);
  }

  @Test
  void hostileHeadersCannotForgeLines() {
    String line =
        new AccessLogFormat("combined", ZoneOffset.UTC).format(entry("/v2/", null, "a\"\nb"));
    assertFalse(line.contains("\n"), line);
    assertTrue(line.contains("a\\x22\\x0Ab"), line);
  }

  @Test
  void jsonFormatIsOneValidObject() throws Exception {
    String line =
        new AccessLogFormat("json", ZoneOffset.UTC)
            .format(entry("/v2/", "token=s3cr3t", "ua \"quoted\""));
    JsonNode n = Json.lenientMapper().readTree(line);
    assertEquals("/v2/?token=REDACTED", n.get("uri").asText());
    assertEquals(200, n.get("status").asInt());
    assertEquals("ua \"quoted\"", n.get("user_agent").asText());
    assertEquals("R10", n.get("route").asText());
  }
}
