package dev.nexusrouter.router.nexus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class RepositoryBodiesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Layout SEED = LayoutLoader.builtIn();

  private static ObjectNode desired(String name) {
    return RepositoryBodies.desired(SEED.repository(name).orElseThrow());
  }

  @Test
  void theDockerHubProxyBodyIsTheDocumentedOne() throws IOException {
    // the create body of Nexus's API description (swagger.json) for this proxy, verbatim
    JsonNode documented =
        JSON.readTree(
            """
            {
              "name": "docker-hub",
              "online": true,
              "storage": { "blobStoreName": "docker-hub", "strictContentTypeValidation": true },
              "proxy": { "remoteUrl": "https://registry-1.docker.io", "contentMaxAge": 1440, "metadataMaxAge": 1440 },
              "negativeCache": { "enabled": true, "timeToLive": 1440 },
              "httpClient": { "blocked": false, "autoBlock": true },
              "docker": { "v1Enabled": true, "forceBasicAuth": true, "httpPort": 8083 },
              "dockerProxy": { "indexType": "HUB" }
            }
            """);
    assertEquals(documented, desired("docker-hub"));
  }

  @Test
  void whatNexusEchoesBackIsNotADifference() throws IOException {
    ObjectNode current = desired("ybcard").deepCopy();
    current.put("format", "docker").put("type", "hosted").put("url", "http://x/repository/ybcard");
    current.putNull("cleanup");
    ((ObjectNode) current.get("storage")).put("writePolicy", "allow");

    assertEquals(List.of(), RepositoryBodies.diff(desired("ybcard"), current));
  }

  @Test
  void portsAndMemberOrderAreDifferences() throws IOException {
    ObjectNode current = desired("hub-group").deepCopy();
    ((ObjectNode) current.get("docker")).put("httpPort", "8082").put("httpsPort", 8443);
    ((ObjectNode) current.get("group"))
        .set(
            "memberNames",
            JSON.readTree("[\"docker-hub\",\"ybcard\",\"aliyun-hub\",\"google-hub\"]"));

    List<String> changes =
        RepositoryBodies.diff(desired("hub-group"), current).stream()
            .map(Plan.Change::toString)
            .toList();

    assertEquals(
        List.of(
            "group.memberNames: [\"docker-hub\",\"ybcard\",\"aliyun-hub\",\"google-hub\"] -> [\"ybcard\",\"docker-hub\",\"aliyun-hub\",\"google-hub\"]",
            "docker.httpPort: \"8082\" -> 8082",
            "docker.httpsPort: 8443 -> (none)"),
        changes);
  }

  @Test
  void theUpdateBodyKeepsUnownedSettingsAndTheBlobStore() throws IOException {
    JsonNode current =
        JSON.readTree(
            """
            {"name":"docker-hub","format":"docker","type":"proxy","url":"http://n/repository/docker-hub",
             "online":false,"storage":{"blobStoreName":"default","strictContentTypeValidation":true},
             "cleanup":{"policyNames":["weekly"]},"routingRuleName":"only-library",
             "proxy":{"remoteUrl":"https://registry-1.docker.io","contentMaxAge":60,"metadataMaxAge":60},
             "negativeCache":{"enabled":true,"timeToLive":1440},
             "httpClient":{"blocked":false,"autoBlock":true,"connection":{"retries":3}},
             "docker":{"v1Enabled":true,"forceBasicAuth":true,"httpPort":8083,"httpsPort":8443},
             "dockerProxy":{"indexType":"HUB","indexUrl":"https://index.docker.io/"}}
            """);

    ObjectNode body = RepositoryBodies.updateBody(desired("docker-hub"), current);

    assertFalse(
        body.has("url") || body.has("format") || body.has("type") || body.has("routingRuleName"));
    assertEquals("only-library", body.path("routingRule").asText());
    assertEquals("weekly", body.path("cleanup").path("policyNames").path(0).asText());
    assertEquals(3, body.path("httpClient").path("connection").path("retries").asInt());
    assertEquals("default", body.path("storage").path("blobStoreName").asText());
    assertEquals(true, body.path("online").asBoolean());
    assertEquals(1440, body.path("proxy").path("contentMaxAge").asInt());
    assertFalse(body.path("docker").has("httpsPort"), "a connector the layout lacks is removed");
  }
}
