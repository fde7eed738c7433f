package dev.nexusrouter.common;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class RegistryErrorTest {
  @Test
  void envelopeMatchesTheDistributionSpecShape() {
    String json = RegistryError.of(503, "UNAVAILABLE", "upstream unavailable").toJson();
    assertEquals(
        "{\"errors\":[{\"code\":\"UNAVAILABLE\",\"message\":\"upstream unavailable\"}]}", json);
  }

  @Test
  void detailAndControlCharactersAreEscapedIntoValidJson() throws Exception {
    String json =
        RegistryError.of(413, "SIZE_INVALID", "too \"big\"").withDetail("a\\b\n\u0001").toJson();
    JsonNode node = Json.lenientMapper().readTree(json);
    JsonNode err = node.get("errors").get(0);
    assertEquals("too \"big\"", err.get("message").asText());
    assertEquals("a\\b\n\u0001", err.get("detail").asText());
  }

  @Test
  void versionIsInjectedByTheBuild() {
    assertEquals(false, BuildInfo.version().contains("${"));
  }
}
