package dev.nexusrouter.router.faults;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.router.server.RouterServer;
import dev.nexusrouter.router.testing.Configs;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code client.max-connections} bounds the open client connections per listener: one more waits in
 * the accept queue, unanswered, until another connection closes; then it is served.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectionCapIT {
  @TempDir Path dir;

  static Socket open(int port) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
    return s;
  }

  static void send(Socket s) throws IOException {
    s.getOutputStream()
        .write(
            "GET /v2/ HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    s.getOutputStream().flush();
  }

  /** Reads one response head and its 1-byte body; returns the status line. */
  static String readResponse(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed after " + head);
      }
      head.append((char) b);
    }
    in.read();
    return head.substring(0, head.indexOf("\r\n"));
  }

  @Test
  void aConnectionBeyondTheCapWaitsUntilAnotherCloses() throws Exception {
    try (RawUpstream.Pair fakes = new RawUpstream.Pair()) {
      fakes.group.script(s -> RawUpstream.Action.body(200, 1));
      String top = "access-log: {path: \"off\"}\nclient: {max-connections: 2}\n";
      try (RouterServer r = Configs.inProcess(dir, fakes.registry(top, ""));
          Socket b = open(r.port(0))) {
        Socket a = open(r.port(0));
        Socket c = open(r.port(0));
        for (Socket s : new Socket[] {a, b}) {
          s.setSoTimeout(20_000);
          send(s);
        }
        // a and b are served; c waits in the accept queue (the kernel accepted the TCP handshake)
        assertTrue(readResponse(a).startsWith("HTTP/1.1 200"));
        assertTrue(readResponse(b).startsWith("HTTP/1.1 200"));
        send(c);
        c.setSoTimeout(1_500);
        assertThrows(SocketTimeoutException.class, () -> readResponse(c), "c must wait");
        a.close();
        c.setSoTimeout(20_000);
        assertTrue(readResponse(c).startsWith("HTTP/1.1 200"), "served once a closed");
        c.close();
      }
    }
  }
}
