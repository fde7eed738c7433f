package dev.nexusrouter.router.nexus;

import static dev.nexusrouter.router.testing.Texts.assertContains;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import org.junit.jupiter.api.Test;

/** Nexus error bodies (as Nexus 3.71 sends them, see docs/nexus.md) reduced to one line. */
class NexusClientTest {
  private final NexusClient client = new NexusClient(URI.create("http://127.0.0.1:1"), null);

  @Test
  void theTextPlainValidationErrorXoOfTheRealmEndpointBecomesItsMessage() {
    assertEquals(
        "Unknown realmIds: [DockerToken]",
        client.nexusMessage(
            "ValidationErrorXO{id='*', message='\"Unknown realmIds: [DockerToken]\"'}"));
  }

  @Test
  void aDoublyQuotedMessageObjectLosesItsInnerQuotes() {
    assertEquals(
        "Unable to find File 'x' blobstore",
        client.nexusMessage(
            "{\n  \"id\" : \"*\",\n  \"message\" : \"\\\"Unable to find File 'x' blobstore\\\"\"\n}"));
  }

  @Test
  void validationListsAreJoined() {
    assertEquals(
        "Name is already used; Path is required",
        client.nexusMessage(
            "[{\"id\":\"name\",\"message\":\"Name is already used\"},"
                + "{\"id\":\"PARAMETER path\",\"message\":\"Path is required\"}]"));
  }

  @Test
  void anythingElseIsShownAsText() {
    assertEquals("<html>bad gateway</html>", client.nexusMessage("<html>bad gateway</html>"));
    assertEquals("(no message)", client.nexusMessage(""));
  }

  @Test
  void a403WithoutCredentialsSaysAnonymousAccessIsOnAndHowToLogIn() {
    String m = client.explain(new NexusClient.Response(403, "", null));
    assertContains(m, "anonymous access is on", "--password-file");
  }
}
