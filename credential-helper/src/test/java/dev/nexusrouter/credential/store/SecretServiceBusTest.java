package dev.nexusrouter.credential.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SecretServiceBusTest {
  @Test
  void theSocketPathIsTakenFromAnAddressWithOtherKeys() throws Exception {
    assertEquals(
        Path.of("/run/user/1000/bus"),
        SecretServiceBus.socketPath("unix:path=/run/user/1000/bus,guid=0123abcd"));
    assertEquals(
        Path.of("/tmp/with space/bus"),
        SecretServiceBus.socketPath("unix:guid=1,path=/tmp/with%20space/bus"));
  }

  @Test
  void aBrokenEscapeOrNoPathMeansTheBackendIsUnavailable() {
    assertThrows(
        BackendUnavailableException.class, () -> SecretServiceBus.socketPath("unix:path=/tmp/%zz"));
    assertThrows(
        BackendUnavailableException.class, () -> SecretServiceBus.socketPath("unix:tmpdir=/tmp"));
  }
}
