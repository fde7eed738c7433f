package dev.nexusrouter.credential.dockerconfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexusrouter.common.Json;
import dev.nexusrouter.credential.protocol.Credentials;
import java.util.List;
import org.junit.jupiter.api.Test;

class MigrationTest {
  private final ObjectMapper mapper = Json.lenientMapper();

  private ObjectNode json(String text) throws Exception {
    return (ObjectNode) mapper.readTree(text);
  }

  @Test
  void decodeHandlesAuthTokensAndPlainFields() throws Exception {
    assertEquals(
        new Credentials("r", "u", "p:w"), Migration.decode("r", json("{\"auth\":\"dTpwOnc=\"}")));
    assertEquals(
        new Credentials("r", "<token>", "t"),
        Migration.decode("r", json("{\"auth\":\"dTpwOnc=\",\"identitytoken\":\"t\"}")));
    assertEquals(
        new Credentials("r", "u", "p"),
        Migration.decode("r", json("{\"username\":\"u\",\"password\":\"p\"}")));
    assertNull(Migration.decode("r", json("{\"auth\":\"not base64!\"}")));
    assertNull(Migration.decode("r", json("{\"auth\":\"bm9jb2xvbg==\"}")));
  }

  @Test
  void undecodableLoginsStayInTheFileAndThePlanSaysSo() throws Exception {
    ObjectNode docker = json("{\"auths\":{\"bad.example\":{\"auth\":\"bm9jb2xvbg==\"}}}");
    Migration m = Migration.plan(docker, null, List.of(), true);
    assertTrue(m.logins.isEmpty());
    assertEquals("bm9jb2xvbg==", docker.path("auths").path("bad.example").path("auth").asText());
    assertTrue(m.plan.stream().anyMatch(l -> l.contains("cannot be decoded")), m.plan.toString());
  }

  @Test
  void hubKeysDifferBetweenDockerAndContainers() {
    assertEquals("https://index.docker.io/v1/", Migration.dockerKey("docker.io"));
    assertEquals("https://index.docker.io/v1/", Migration.dockerKey("https://index.docker.io/v1/"));
    assertEquals("reg.example.com:5000", Migration.dockerKey("https://reg.example.com:5000/"));
    assertEquals("docker.io", Migration.containersKey("https://index.docker.io/v1/"));
    assertEquals("quay.io", Migration.containersKey("quay.io/org/repo"));
  }

  @Test
  void loginsInThePlanNeverShowTheirSecret() throws Exception {
    ObjectNode docker = json("{\"auths\":{\"r.example\":{\"auth\":\"dTpodW50ZXIy\"}}}");
    Migration m = Migration.plan(docker, null, List.of(), true);
    assertEquals(1, m.logins.size());
    assertFalse(m.logins.toString().contains("hunter2"), m.logins.toString());
    assertFalse(String.join("\n", m.plan).contains("hunter2"));
    assertTrue(m.containersChanged, "a new containers auth file gets the credHelpers entry");
    assertEquals("java", m.containers.path("credHelpers").path("r.example").asText());
  }
}
