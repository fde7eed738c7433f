package dev.nexusrouter.credential.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.credential.protocol.StoreException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
  @TempDir Path home;

  @Test
  void defaultsFollowXdgAndNeverPromptHeadless() throws Exception {
    Settings s = Settings.load(Map.of(), "Linux", home);
    assertEquals("auto", s.backend());
    assertEquals(home.resolve(".local/share/docker-credential-java/credentials.enc"), s.file());
    assertEquals(home.resolve(".local/share/docker-credential-java/credentials.key"), s.keyFile());
    assertEquals(Duration.ZERO, s.promptTimeout());
    assertNull(s.passphrase(Map.of()));
    assertEquals(
        Duration.ofSeconds(30),
        Settings.load(Map.of("DISPLAY", ":0"), "Linux", home).promptTimeout());
  }

  @Test
  void configFileIsReadAndTheEnvironmentWins() throws Exception {
    Path config = home.resolve(".config/docker-credential-java/config.properties");
    Files.createDirectories(config.getParent());
    Files.writeString(config, "backend=file\nfile=/srv/creds.enc\nprompt-timeout=5s\n");
    Settings s = Settings.load(Map.of(), "Linux", home);
    assertEquals("file", s.backend());
    assertEquals(Path.of("/srv/creds.enc"), s.file());
    assertEquals(Duration.ofSeconds(5), s.promptTimeout());
    assertEquals(
        "secretservice",
        Settings.load(Map.of("DOCKER_CREDENTIAL_JAVA_BACKEND", "SecretService"), "Linux", home)
            .backend());
  }

  @Test
  void everyProblemIsReportedAtOnce() throws Exception {
    Path config = home.resolve("c.properties");
    Files.writeString(config, "backend=vault\nbakend=file\nprompt-timeout=soon\ntimeout=0\n");
    StoreException e =
        assertThrows(
            StoreException.class,
            () ->
                Settings.load(
                    Map.of("DOCKER_CREDENTIAL_JAVA_CONFIG", config.toString()), "Linux", home));
    assertTrue(e.getMessage().contains("bakend"), e.getMessage());
    assertTrue(e.getMessage().contains("'vault'"), e.getMessage());
    assertTrue(e.getMessage().contains("soon"), e.getMessage());
    assertTrue(e.getMessage().contains("timeout must be 1..3600 seconds"), e.getMessage());
  }

  @Test
  void theCallTimeoutDefaultsToThePromptTimeoutPlusThirtySeconds() throws Exception {
    assertEquals(Duration.ofSeconds(30), Settings.load(Map.of(), "Linux", home).callTimeout());
    assertEquals(
        Duration.ofSeconds(60),
        Settings.load(Map.of("DISPLAY", ":0"), "Linux", home).callTimeout());
    assertEquals(
        Duration.ofSeconds(7),
        Settings.load(Map.of("DOCKER_CREDENTIAL_JAVA_TIMEOUT", "7s"), "Linux", home).callTimeout());
  }

  @Test
  void passphraseComesFromTheEnvironmentOrAFile() throws Exception {
    Path file = home.resolve("pass");
    Files.writeString(file, "from file\n");
    Map<String, String> env = Map.of("DOCKER_CREDENTIAL_JAVA_PASSPHRASE_FILE", file.toString());
    assertArrayEquals(
        "from file".getBytes(StandardCharsets.UTF_8),
        Settings.load(env, "Linux", home).passphrase(env));
    Map<String, String> both =
        Map.of(
            "DOCKER_CREDENTIAL_JAVA_PASSPHRASE",
            "from env",
            "DOCKER_CREDENTIAL_JAVA_PASSPHRASE_FILE",
            file.toString());
    assertArrayEquals(
        "from env".getBytes(StandardCharsets.UTF_8),
        Settings.load(both, "Linux", home).passphrase(both));
  }

  @Test
  void busAddressFallsBackToXdgRuntimeDirAndRejectsAbstractSockets() throws Exception {
    assertEquals(
        "unix:path=/tmp/b,guid=1",
        SessionBus.address(
            Map.of("DBUS_SESSION_BUS_ADDRESS", "unix:path=/tmp/b,guid=1"), p -> false));
    assertEquals(
        "unix:path=/run/user/7/bus",
        SessionBus.address(
            Map.of("XDG_RUNTIME_DIR", "/run/user/7"), p -> p.equals(Path.of("/run/user/7/bus"))));
    StoreException none =
        assertThrows(StoreException.class, () -> SessionBus.address(Map.of(), p -> false));
    assertEquals(String.format(SessionBus.NO_BUS, SessionBus.NO_RUNTIME_DIR), none.getMessage());
    StoreException missing =
        assertThrows(
            StoreException.class,
            () -> SessionBus.address(Map.of("XDG_RUNTIME_DIR", "/run/user/7"), p -> false));
    assertTrue(missing.getMessage().contains("and /run/user/7/bus does not exist"));
    StoreException abs =
        assertThrows(
            BackendUnavailableException.class,
            () ->
                SessionBus.address(
                    Map.of("DBUS_SESSION_BUS_ADDRESS", "unix:abstract=/tmp/dbus-x"), p -> true));
    assertTrue(abs.getMessage().contains("abstract"), abs.getMessage());
  }
}
