package dev.nexusrouter.router.migrate;

import static dev.nexusrouter.router.testing.Texts.assertContains;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Access control nginx enforced and the router does not: listed first, in its own class, and the
 * import writes nothing and exits 4 unless --accept-open-access is given.
 */
class ImportNginxAccessTest {
  @TempDir Path dir;

  private static final String HEAD =
      "http {\n upstream grp { server 127.0.0.1:8082; }\n upstream hst { server 127.0.0.1:8086; }\n"
          + " server { listen 5000; server_name reg.example;\n";
  private static final String ROUTING =
      "  set $u hst; if ($request_method = GET) { set $u grp; }\n";
  private static final String TAIL = "}\n}\n";

  private Fixtures.Run run(String server, String... extra) throws Exception {
    Path f = dir.resolve("nginx.conf");
    Files.writeString(f, HEAD + ROUTING + server + TAIL);
    Path out = dir.resolve("out.yaml");
    String[] all =
        java.util.Arrays.copyOf(
            new String[] {f.toString(), "--out", out.toString()}, 3 + extra.length);
    System.arraycopy(extra, 0, all, 3, extra.length);
    return Fixtures.importNginx(all);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "allow 10.0.0.0/8;                                | allow 10.0.0.0/8;",
        "deny all;                                        | deny all;",
        "auth_basic registry;                             | auth_basic registry;",
        "auth_basic_user_file /etc/nginx/htpasswd;        | auth_basic_user_file /etc/nginx/htpasswd;",
        "auth_request /auth;                              | auth_request /auth;",
        "satisfy any;                                     | satisfy any;",
        "ssl_verify_client on;                            | ssl_verify_client on;",
        "ssl_client_certificate ca.pem;                   | ssl_client_certificate ca.pem;",
        "location / { limit_except GET HEAD { deny all; } proxy_pass http://$u; } | limit_except GET HEAD { … }",
        "location /v2/secret/ { return 403; }             | location /v2/secret/ { … }",
        "location /v2/private/ { deny all; }              | location /v2/private/ { … }",
        "if ($http_user_agent ~ curl) { return 444; }     | return 444;",
      })
  void eachAccessControlDirectiveFailsTheImportAndIsListedFirst(String line, String shown)
      throws Exception {
    String server =
        line.startsWith("location /") && line.contains("proxy_pass")
            ? line
            : line + "\n location / { proxy_pass http://$u; }\n";
    Fixtures.Run r = run(server);
    assertEquals(ImportNginxCommand.OPEN_ACCESS, r.code(), r.out() + r.err());
    assertFalse(Files.exists(dir.resolve("out.yaml")), "nothing may be written");
    String e = r.err();
    int access = e.indexOf("ACCESS CONTROL THE ROUTER DOES NOT ENFORCE");
    assertTrue(access > 0, e);
    int translated = e.indexOf("\ntranslated:");
    assertTrue(translated < 0 || access < translated, "access control comes first:\n" + e);
    assertTrue(e.indexOf(shown, access) > access, "'" + shown + "' under access control:\n" + e);
    assertTrue(e.contains("--accept-open-access"), e);
  }

  @Test
  void theReviewedReadOnlyIpRestrictedRegistryIsNotOpenedSilently() throws Exception {
    Path f = dir.resolve("acl.conf");
    Files.writeString(
        f,
        "server { listen 5000; server_name reg.example; allow 10.0.0.0/8; deny all;\n"
            + "  auth_basic \"registry\"; auth_basic_user_file /etc/nginx/htpasswd;\n"
            + "  set $u hst; if ($request_method = GET) { set $u grp; }\n"
            + "  location / { limit_except GET HEAD { deny all; } proxy_pass http://$u; }\n"
            + "  location /v2/secret/ { return 403; } }\n");
    Fixtures.Run r = Fixtures.importNginx(f.toString(), "--out", dir.resolve("o.yaml").toString());
    assertEquals(ImportNginxCommand.OPEN_ACCESS, r.code(), r.err());
    assertContains(
        r.err(),
        "\n8 ACCESS CONTROL NOT ENFORCED, 7 translated, 2 changed on purpose, 0 not understood\n",
        "acl.conf:5  location /v2/secret/ { … }\n      -> nginx refused");
    assertFalse(r.err().contains("no sample request reaches"), r.err());
  }

  @Test
  void acceptOpenAccessWritesTheConfigAndKeepsTheWarning() throws Exception {
    Fixtures.Run r =
        run(
            "allow 10.0.0.0/8; deny all;\n location / { proxy_pass http://$u; }\n",
            "--accept-open-access");
    assertEquals(0, r.code(), r.err());
    assertTrue(Files.readString(dir.resolve("out.yaml")).contains("hosted: \"hst\""));
    assertTrue(r.out().startsWith("import-nginx: "), r.out());
    assertTrue(r.out().contains("2 ACCESS CONTROL NOT ENFORCED"), r.out());
  }

  @Test
  void offSwitchesAreNotAccessControl() throws Exception {
    Fixtures.Run r =
        run("auth_basic off; ssl_verify_client off;\n location / { proxy_pass http://$u; }\n");
    assertEquals(0, r.code(), r.err());
    assertFalse(r.out().contains("ACCESS CONTROL"), r.out());
  }

  @Test
  void anUnreachedLocationNamesTheSamplesTriedInsteadOfClaimingNoRequestReachesIt()
      throws Exception {
    Fixtures.Run r =
        run(
            "location / { proxy_pass http://$u; }\n location /v2/other/ { proxy_buffering off; }\n");
    assertEquals(0, r.code(), r.err());
    assertFalse(r.out().contains("no sample request reaches"), r.out());
    assertTrue(
        r.out().contains("none of the sample requests")
            && r.out().contains("GET /v2/team/app/manifests/1.0")
            && r.out().contains("PUT /v2/team/app/manifests/1.0"),
        r.out());
  }
}
