package dev.nexusrouter.credential.dbus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client against a scripted daemon (JDK socket transport: no native library in unit tests). */
class BusConnectionTest {
  private static final String DEST = "org.example.Dest";

  @TempDir Path dir;

  @Test
  void authenticatesWithItsUidThenSaysHelloFirst() throws Exception {
    String[] seen = new String[2];
    try (FakeBus bus =
        new FakeBus(
            dir,
            peer -> {
              seen[0] = peer.accept();
              seen[1] = peer.readCall().member();
              FakeBus.Call ping = peer.readCall();
              peer.reply(ping, "s", "pong");
            })) {
      try (BusConnection c = BusConnection.open(bus.socket())) {
        assertEquals(List.of("pong"), c.call(DEST, "/", "org.example.I", "Ping", ""));
      }
      assertNull(bus.failure());
    }
    String uidHex = hex(Long.toString(new JdkSocketProbe().uid()));
    assertEquals("AUTH EXTERNAL " + uidHex, seen[0]);
    assertEquals("Hello", seen[1]);
  }

  @Test
  void beginAndTheFirstCallsGoOutBeforeTheAnswerToAuth() throws Exception {
    // The daemon answers AUTH only after it has read BEGIN, Hello and the call: a client that
    // waited for OK first would never get there (the script's reads are bounded by the socket).
    try (FakeBus bus =
        new FakeBus(
            dir,
            peer -> {
              peer.readLine();
              String begin = peer.readLine();
              FakeBus.Call hello = peer.readCall();
              FakeBus.Call ping = peer.readCall();
              peer.send("OK 0123456789abcdef0123456789abcdef\r\n");
              peer.reply(hello, "s", ":1.7");
              peer.reply(ping, "s", begin + " " + hello.member() + " " + ping.member());
            })) {
      try (BusConnection c = BusConnection.open(bus.socket())) {
        long ping = c.send(DEST, "/", "org.example.I", "Ping", "");
        assertEquals(List.of("BEGIN Hello Ping"), c.await(ping));
      }
      assertNull(bus.failure());
    }
  }

  @Test
  void pipelinedRepliesMayArriveInAnyOrderAndSignalsAreSkipped() throws Exception {
    try (FakeBus bus =
        new FakeBus(
            dir,
            peer -> {
              peer.accept();
              FakeBus.Call hello = peer.readCall();
              FakeBus.Call first = peer.readCall();
              FakeBus.Call second = peer.readCall();
              peer.reply(second, "a{ss}", Map.of("k", "v"));
              peer.signal("NameAcquired");
              peer.reply(hello, "s", ":1.7");
              peer.reply(first, "(oayays)", List.of("/s", new byte[0], new byte[] {1, 2}, "t"));
            })) {
      try (BusConnection c = BusConnection.open(bus.socket())) {
        long first = c.send(DEST, "/a", "org.example.I", "First", "");
        long second = c.send(DEST, "/b", "org.example.I", "Second", "s", "x");
        List<?> struct = (List<?>) c.await(first).get(0);
        assertEquals("/s", struct.get(0));
        assertTrue(Arrays.equals(new byte[] {1, 2}, (byte[]) struct.get(2)));
        assertEquals(List.of(Map.of("k", "v")), c.await(second));
      }
      assertNull(bus.failure());
    }
  }

  @Test
  void anErrorReplyIsARemoteErrorWithItsName() throws Exception {
    try (FakeBus bus =
        new FakeBus(
            dir,
            peer -> {
              peer.accept();
              peer.readCall();
              peer.error(
                  peer.readCall(),
                  "org.freedesktop.DBus.Error.ServiceUnknown",
                  "The name was not provided by any .service files");
            })) {
      try (BusConnection c = BusConnection.open(bus.socket())) {
        RemoteError e =
            assertThrows(
                RemoteError.class, () -> c.call(DEST, "/", "org.example.I", "Anything", ""));
        assertEquals("org.freedesktop.DBus.Error.ServiceUnknown", e.name());
        assertTrue(e.getMessage().contains("not provided by any .service files"), e.getMessage());
      }
    }
  }

  @Test
  void aRejectedAuthenticationIsAClearError() throws Exception {
    try (FakeBus bus =
        new FakeBus(
            dir,
            peer -> {
              peer.readLine();
              peer.send("REJECTED EXTERNAL\r\n");
            })) {
      // The calls go out right behind AUTH, so the refusal surfaces at the first write that
      // finds the connection closed, or else with the first reply.
      IOException e =
          assertThrows(
              BusConnection.AuthenticationRefused.class,
              () -> {
                try (BusConnection c = BusConnection.open(bus.socket())) {
                  c.call(DEST, "/", "org.example.I", "Anything", "");
                }
              });
      assertEquals(
          "the D-Bus daemon refused EXTERNAL authentication (REJECTED EXTERNAL)", e.getMessage());
    }
  }

  /** Calls once and returns what the client threw for the reply as {@code mangle} left it. */
  private IOException failureFor(UnaryOperator<byte[]> mangle) throws Exception {
    try (FakeBus bus =
        new FakeBus(
            dir,
            peer -> {
              peer.accept();
              peer.readCall();
              FakeBus.Call call = peer.readCall();
              peer.send(mangle.apply(FakeBus.message(2, call.serial(), null, "s", "a reply")));
            })) {
      try (BusConnection c = BusConnection.open(bus.socket())) {
        return assertThrows(IOException.class, () -> c.call(DEST, "/", "org.example.I", "X", ""));
      }
    }
  }

  @Test
  void aConnectionCutMidReplyIsEndOfStreamNotAHang() throws Exception {
    IOException e = failureFor(reply -> Arrays.copyOf(reply, reply.length - 5));
    assertInstanceOf(EOFException.class, e);
    assertEquals("the D-Bus daemon closed the connection", e.getMessage());
  }

  @Test
  void anAbsurdMessageLengthIsRejectedBeforeAllocating() throws Exception {
    IOException e =
        failureFor(
            reply -> {
              reply[4] = (byte) 0xff; // body length 0xff0000xx: about 4 GiB
              reply[7] = (byte) 0xff;
              return reply;
            });
    assertEquals("the D-Bus daemon sent an over-long message", e.getMessage());
  }

  @Test
  void anUnknownByteOrderIsRejected() throws Exception {
    IOException e =
        failureFor(
            reply -> {
              reply[0] = 'X';
              return reply;
            });
    assertEquals("the D-Bus daemon sent a message with an unknown byte order", e.getMessage());
  }

  @Test
  void noSocketIsAConnectError() {
    assertThrows(IOException.class, () -> BusConnection.open(dir.resolve("absent")));
  }

  private static String hex(String ascii) {
    StringBuilder out = new StringBuilder();
    for (char c : ascii.toCharArray()) {
      out.append(Integer.toHexString(c));
    }
    return out.toString();
  }

  /** The uid the JDK transport reports, read the same way. */
  private static final class JdkSocketProbe {
    long uid() throws IOException {
      return ((Number) java.nio.file.Files.getAttribute(Path.of("/proc/self"), "unix:uid"))
          .longValue();
    }
  }
}
