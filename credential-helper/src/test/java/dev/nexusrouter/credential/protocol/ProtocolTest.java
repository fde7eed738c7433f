package dev.nexusrouter.credential.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProtocolTest {
  private final InMemoryStore store = new InMemoryStore();
  private int opens;
  private final Protocol protocol =
      new Protocol(
          () -> {
            opens++;
            return store;
          },
          () -> "1.2.3");

  private record Result(int exit, String stdout) {}

  private Result run(String action, String stdin) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit =
        protocol.run(
            List.of(action), new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), out);
    return new Result(exit, out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void storeThenGetRoundTripsAndEchoesTheQueriedKey() throws IOException {
    Result stored =
        run(
            "store",
            "{\"ServerURL\":\"reg.example.com\",\"Username\":\"alice\",\"Secret\":\"pä$$ 😀\"}\n");
    assertEquals(new Result(0, ""), stored);
    assertEquals(
        new Result(
            0,
            "{\"ServerURL\":\"reg.example.com\",\"Username\":\"alice\",\"Secret\":\"pä$$ 😀\"}\n"),
        run("get", "reg.example.com"));
  }

  @Test
  void storeMatchesKeysCaseInsensitivelyAndIgnoresUnknownFields() throws IOException {
    assertEquals(
        0,
        run(
                "store",
                "{\"serverurl\":\"a.example\",\"USERNAME\":\"u\",\"secret\":\"s\",\"Email\":\"x\",\"n\":{\"a\":[1]}}")
            .exit());
    assertEquals(new Credentials("a.example", "u", "s"), store.entries.get("a.example"));
  }

  @Test
  void storeAcceptsPrettyPrintedJsonAndGoEscapes() throws IOException {
    run(
        "store",
        "{\n  \"ServerURL\": \"t.example\",\n  \"Username\": \"\\u003ctoken\\u003e\",\n  \"Secret\": \"tok\"\n}\n");
    assertEquals("<token>", store.entries.get("t.example").username());
  }

  @Test
  void tokenUsernameRoundTripsVerbatimEscapedLikeGo() throws IOException {
    store.store(new Credentials("t.example", "<token>", "a&b"));
    assertEquals(
        "{\"ServerURL\":\"t.example\",\"Username\":\"\\u003ctoken\\u003e\",\"Secret\":\"a\\u0026b\"}\n",
        run("get", "t.example").stdout());
    assertEquals("{\"t.example\":\"\\u003ctoken\\u003e\"}\n", run("list", "unused").stdout());
  }

  @Test
  void hundredKilobyteSecretWorks() throws IOException {
    String secret = "x".repeat(150_000);
    assertEquals(
        0,
        run("store", "{\"ServerURL\":\"big\",\"Username\":\"u\",\"Secret\":\"" + secret + "\"}")
            .exit());
    assertTrue(run("get", "big").stdout().contains(secret));
  }

  @Test
  void missingFieldsGiveTheExactProtocolErrors() throws IOException {
    assertEquals(
        new Result(1, "no credentials server URL\n"),
        run("store", "{\"ServerURL\":\"\",\"Username\":\"u\",\"Secret\":\"s\"}"));
    assertEquals(
        new Result(1, "no credentials server URL\n"),
        run("store", "{\"ServerURL\":\"   \",\"Username\":\"u\",\"Secret\":\"s\"}"));
    assertEquals(
        new Result(1, "no credentials username\n"),
        run("store", "{\"ServerURL\":\"x.example\",\"Username\":\"\",\"Secret\":\"s\"}"));
    assertEquals(new Result(1, "no credentials server URL\n"), run("get", ""));
    assertEquals(new Result(1, "no credentials server URL\n"), run("erase", " \n"));
    assertTrue(store.entries.isEmpty());
  }

  @Test
  void emptySecretIsAllowed() throws IOException {
    assertEquals(
        0, run("store", "{\"ServerURL\":\"e\",\"Username\":\"u\",\"Secret\":\"\"}").exit());
    assertEquals("", store.entries.get("e").secret());
  }

  @Test
  void invalidJsonFailsWithoutQuotingTheInput() throws IOException {
    Result r = run("store", "{\"ServerURL\":\"x\",\"Secret\":hunter2}");
    assertEquals(1, r.exit());
    assertFalse(r.stdout().contains("hunter2"), r.stdout());
    assertEquals(1, run("store", "not json").exit());
  }

  @Test
  void getOfMissingKeyIsTheExactNotFoundText() throws IOException {
    assertEquals(
        new Result(1, "credentials not found in native keychain\n"), run("get", "nope.example"));
  }

  @Test
  void getTrimsTheTypedNewline() throws IOException {
    store.store(new Credentials("reg.example.com", "u", "s"));
    assertEquals(0, run("get", "reg.example.com\n").exit());
  }

  @Test
  void eraseRemovesAndEraseOfMissingSucceeds() throws IOException {
    store.store(new Credentials("reg.example.com", "u", "s"));
    assertEquals(new Result(0, ""), run("erase", "reg.example.com"));
    assertTrue(store.entries.isEmpty());
    assertEquals(new Result(0, ""), run("erase", "reg.example.com"));
  }

  @Test
  void emptyListIsAnEmptyObject() throws IOException {
    assertEquals(new Result(0, "{}\n"), run("list", "unused"));
  }

  @Test
  void getFallsBackToNormalisedForms() throws IOException {
    store.store(new Credentials("https://index.docker.io/v1/", "hubuser", "h"));
    store.store(new Credentials("reg.example.com", "u", "s"));
    store.store(new Credentials("nerd.example.com:443", "n", "n"));
    for (String alias :
        List.of(
            "docker.io", "index.docker.io", "registry-1.docker.io", "https://index.docker.io/v1")) {
      assertTrue(run("get", alias).stdout().contains("hubuser"), alias);
    }
    for (String alias :
        List.of(
            "https://reg.example.com",
            "https://reg.example.com/",
            "reg.example.com:443",
            "http://reg.example.com")) {
      assertTrue(run("get", alias).stdout().contains("\"u\""), alias);
    }
    assertTrue(run("get", "nerd.example.com").stdout().contains("\"n\""));
    assertEquals(1, run("get", "reg.example.com/org/repo").exit());
    assertEquals(1, run("get", "https://index.docker.io/v1/access-token").exit());
  }

  @Test
  void everyListedKeyIsGettable() throws IOException {
    store.store(new Credentials("https://index.docker.io/v1/", "a", "1"));
    store.store(new Credentials("reg.example.com:5000", "b", "2"));
    store.store(new Credentials("  spaced ", "c", "3"));
    for (String key : store.list().keySet()) {
      assertEquals(0, run("get", key).exit(), key);
    }
  }

  @Test
  void eraseOfAnAliasRemovesTheHubLogin() throws IOException {
    store.store(new Credentials("https://index.docker.io/v1/", "a", "1"));
    assertEquals(0, run("erase", "docker.io").exit());
    assertTrue(store.entries.isEmpty());
  }

  @Test
  void eraseOfAnExactKeyLeavesEquivalentKeys() throws IOException {
    store.store(new Credentials("reg.example.com", "a", "1"));
    store.store(new Credentials("https://reg.example.com", "b", "2"));
    run("erase", "https://reg.example.com");
    assertEquals(List.of("reg.example.com"), List.copyOf(store.entries.keySet()));
  }

  @Test
  void versionUsageAndUnknownActionsNeedNoStore() throws IOException {
    assertEquals(
        new Result(0, "docker-credential-java (dev.nexusrouter) 1.2.3\n"), run("version", ""));
    assertEquals(0, run("--version", "").exit());
    assertEquals(new Result(0, ProtocolMessages.USAGE + "\n"), run("--help", ""));
    assertEquals(
        new Result(1, "docker-credential-java: unknown action: bogus\n"), run("bogus", ""));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertEquals(1, protocol.run(List.of(), new ByteArrayInputStream(new byte[0]), out));
    assertEquals(ProtocolMessages.USAGE + "\n", out.toString(StandardCharsets.UTF_8));
    assertEquals(0, opens);
  }

  @Test
  void backendFailureIsOneLineOnStdoutWithExitOne() throws IOException {
    Protocol broken =
        new Protocol(
            () -> {
              throw new StoreException("the login keyring is locked");
            },
            () -> "1");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit =
        broken.run(
            List.of("get"), new ByteArrayInputStream("x".getBytes(StandardCharsets.UTF_8)), out);
    assertEquals(1, exit);
    assertEquals("the login keyring is locked\n", out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void credentialsToStringRedactsTheSecret() {
    String text = new Credentials("reg", "alice", "hunter2").toString();
    assertFalse(text.contains("hunter2"), text);
    assertTrue(text.contains("alice"), text);
  }
}
