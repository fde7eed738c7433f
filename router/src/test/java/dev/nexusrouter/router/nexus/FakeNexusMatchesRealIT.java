package dev.nexusrouter.router.nexus;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nexusrouter.router.testing.RealNexus;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The fake answers exactly as the real Nexus wherever both can be asked the same thing (everything
 * but the docker endpoints, which the open-source assembly lacks): status, content type, body and
 * challenge, byte for byte. Requests here change nothing in the real Nexus.
 */
@ExtendWith(RealNexus.Extension.class)
class FakeNexusMatchesRealIT {
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private FakeNexus fake;
  private String password;

  /** One request, sent to both. */
  record Ask(String method, String path, String contentType, String body, String auth) {}

  /** What is compared. */
  record Answer(int status, String contentType, String challenge, String body) {}

  @BeforeEach
  void start(RealNexus real) throws IOException {
    password = NexusOssIT.currentAdminPassword(real);
    fake = new FakeNexus();
    fake.version = real.version();
    fake.adminPassword = password;
    fake.anonymousEnabled = true; // as on a fresh Nexus, and after provisioning with anonymous-pull
  }

  @AfterEach
  void stop() {
    fake.close();
  }

  @Test
  void errorBodiesAndContentTypesAreTheRealOnes(RealNexus real) throws Exception {
    String admin = basic("admin", password);
    List<Ask> asks =
        List.of(
            new Ask("GET", "/v1/status", null, null, null),
            new Ask("GET", "/v1/blobstores/file/it-no-such-store", null, null, admin),
            new Ask(
                "POST",
                "/v1/blobstores/file",
                "application/json",
                "{\"name\":\"DEFAULT\",\"path\":\"it-clash\"}",
                admin),
            new Ask(
                "PUT",
                "/v1/security/realms/active",
                "application/json",
                "[\"NexusAuthenticatingRealm\",\"NoSuchRealm\"]",
                admin),
            new Ask("PUT", "/v1/security/users/admin/change-password", "text/plain", "", admin),
            new Ask(
                "PUT", "/v1/security/users/admin/change-password", "application/json", "{}", admin),
            new Ask(
                "PUT", "/v1/security/users/it-nobody/change-password", "text/plain", "x", admin),
            new Ask("GET", "/v1/security/roles/it-no-such-role", null, null, admin),
            new Ask("GET", "/v1/security/users?userId=it-nobody", null, null, admin),
            new Ask("GET", "/v1/blobstores", null, null, basic("admin", "wrong-password")),
            new Ask("GET", "/v1/blobstores", null, null, null));
    for (Ask a : asks) {
      Answer fromReal = send(real.url(), a);
      Answer fromFake = send(URI.create(fake.url()), a);
      assertEquals(fromReal, fromFake, a.method() + " " + a.path());
    }
  }

  private Answer send(URI base, Ask a) throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + FakeNexus.REST + a.path()))
            .timeout(Duration.ofSeconds(30))
            .method(
                a.method(),
                a.body() == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(a.body(), StandardCharsets.UTF_8));
    if (a.contentType() != null) {
      b.header("Content-Type", a.contentType());
    }
    if (a.auth() != null) {
      b.header("Authorization", a.auth());
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(
        r.statusCode(),
        r.headers().firstValue("Content-Type").orElse(null),
        r.headers().firstValue("WWW-Authenticate").orElse(null),
        r.body());
  }

  private static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }
}
