package dev.nexusrouter.router.migrate;

import static dev.nexusrouter.router.testing.Texts.assertContains;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Secrets in an nginx configuration reach neither the report, nor error messages, nor the YAML. */
class ImportNginxSecretsTest {
  @TempDir Path dir;

  private static final List<String> SECRETS =
      List.of("YWRtaW46czNjcjN0UGFzcw==", "supersecretkey", "hunter2", "abc123", "t0psecret");

  /** Imports {@code text}: it must succeed with no secret in the report or the config. */
  private Fixtures.Run run(String text) throws Exception {
    Path f = dir.resolve("nginx.conf");
    Files.writeString(f, text);
    Fixtures.Run r = Fixtures.importNginx(f.toString());
    assertEquals(0, r.code(), r.err());
    noSecret("report", r.err());
    noSecret("config", r.out());
    return r;
  }

  private static void noSecret(String where, String text) {
    for (String s : SECRETS) {
      assertFalse(text.contains(s), "'" + s + "' in the " + where + ":\n" + text);
    }
  }

  @Test
  void headerCredentialsAndApiKeysAreMaskedInTheReportAndAbsentFromTheConfig() throws Exception {
    Fixtures.Run r =
        run(
            "http { server { listen 80; server_name a.test;\n"
                + "  location / { proxy_pass http://127.0.0.1:8081;\n"
                + "    proxy_set_header Authorization 'Basic YWRtaW46czNjcjN0UGFzcw==';\n"
                + "    proxy_set_header X-Api-Key supersecretkey;\n"
                + "    proxy_set_header X-Other 'Bearer t0psecret';\n"
                + "    proxy_set_header X-Plain visible-value; } } }\n");
    assertContains(
        r.err(),
        "nginx.conf:3  proxy_set_header Authorization <redacted>;",
        "proxy_set_header X-Api-Key <redacted>;",
        "proxy_set_header X-Plain visible-value;",
        "needs manual work: nginx sent these credentials to Nexus for every client");
  }

  @Test
  void credentialsInAProxyPassUrlAreMaskedAndTheBlockNeedsManualWork() throws Exception {
    Fixtures.Run r =
        run(
            "http {\n server { listen 80; server_name a.test;\n"
                + "  location / { proxy_pass http://admin:hunter2@10.0.0.1:8081; } }\n"
                + " server { listen 80; server_name b.test;\n"
                + "  location / { proxy_pass http://127.0.0.1:8081; } } }\n");
    assertContains(
        r.err(), "http://<redacted>@10.0.0.1:8081", "carries credentials (user:password@)");
    assertFalse(r.out().contains("10.0.0.1"), "the block is left out:\n" + r.out());
  }

  @Test
  void queryTokensAreMaskedInTheReportAndInErrors() throws Exception {
    Fixtures.Run r =
        run(
            "http {\n server { listen 80; server_name a.test;\n"
                + "  location / { proxy_pass http://10.0.0.1:8081/?token=abc123; } }\n"
                + " server { listen 80; server_name b.test;\n"
                + "  location / { proxy_pass http://127.0.0.1:8081; } } }\n");
    assertTrue(r.err().contains("proxy_pass URI '/?token=<redacted>' is neither"), r.err());
    NginxException e =
        new NginxException(
            new Directive.Where(Path.of("n.conf"), "n.conf", 3),
            "proxy_pass 'https://u:hunter2@h/x?a=1&api_key=abc123' is not usable");
    assertEquals(
        "n.conf:3: proxy_pass 'https://<redacted>@h/x?a=<redacted>&api_key=<redacted>' is not"
            + " usable",
        e.getMessage());
  }
}
