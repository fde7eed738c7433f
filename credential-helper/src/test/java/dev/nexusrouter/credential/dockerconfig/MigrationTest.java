package dev.nexusrouter.credential.dockerconfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.credential.dockerconfig.JsonDoc.Obj;
import dev.nexusrouter.credential.protocol.Credentials;
import java.util.List;
import org.junit.jupiter.api.Test;

class MigrationTest {
  private static Obj json(String text) throws Exception {
    return (Obj) JsonDoc.parse(text);
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
    Obj docker = json("{\"auths\":{\"bad.example\":{\"auth\":\"bm9jb2xvbg==\"}}}");
    Migration m = Migration.plan(docker, null, List.of(), true);
    assertTrue(m.logins.isEmpty());
    assertEquals("bm9jb2xvbg==", docker.object("auths").object("bad.example").string("auth"));
    assertTrue(m.notes.stream().anyMatch(l -> l.contains("cannot be decoded")), m.notes.toString());
  }

  @Test
  void registryValuesAreKeyedTheWayDockerKeysThem() {
    assertEquals("https://index.docker.io/v1/", Migration.dockerKey("docker.io"));
    assertEquals("https://index.docker.io/v1/", Migration.dockerKey("https://index.docker.io/v1/"));
    assertEquals("reg.example.com:5000", Migration.dockerKey("https://reg.example.com:5000/"));
    assertEquals("reg.test:5000", Migration.dockerKey("https://reg.test:5000/v2/"));
    assertEquals("reg.test:5000", Migration.dockerKey("http://reg.test:5000/v1/"));
    assertEquals("reg.test", Migration.dockerKey("reg.test/team/app"));
    assertEquals("docker.io", Migration.containersKey("https://index.docker.io/v1/"));
    assertEquals("quay.io", Migration.containersKey("quay.io/org/repo"));
    assertEquals("reg.test:5000", Migration.containersKey("https://reg.test:5000/v2/"));
  }

  @Test
  void repeatedAuthsBlocksMergeLaterEntriesWinning() throws Exception {
    Obj docker =
        json(
            "{\"auths\":{\"a.test\":{\"auth\":\"dTE6cDE=\"},\"b.test\":{\"auth\":\"dTI6cDI=\"}},"
                + "\"auths\":{\"b.test\":{\"auth\":\"dTM6cDM=\"}}}");
    Migration m = Migration.plan(docker, null, List.of(), false);
    assertEquals(
        List.of(new Credentials("a.test", "u1", "p1"), new Credentials("b.test", "u3", "p3")),
        m.logins.stream().map(Migration.Login::credentials).toList());
    assertEquals(
        1, docker.members.stream().filter(x -> x.key.equals("auths")).count(), "one auths block");
  }

  @Test
  void loginsInThePlanNeverShowTheirSecret() throws Exception {
    Obj docker = json("{\"auths\":{\"r.example\":{\"auth\":\"dTpodW50ZXIy\"}}}");
    Migration m = Migration.plan(docker, null, List.of(), true);
    assertEquals(1, m.logins.size());
    assertFalse(m.logins.toString().contains("hunter2"), m.logins.toString());
    assertFalse(String.join("\n", m.changes).contains("hunter2"));
    assertTrue(m.containersChanged(), "a new containers auth file gets the credHelpers entry");
    assertEquals("java", m.containers.object("credHelpers").string("r.example"));
  }
}
