package dev.nexusrouter.router.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Locale;

/**
 * Checks on a raw connection (plain or TLS) to the router, for timeout tests: is it closed, and
 * what status line came back. The wait of 15 s is far above the header timeouts the tests configure
 * and far below their idle timeouts, so it tells which of the two applied, not how fast.
 */
public final class ConnectionChecks {
  private ConnectionChecks() {}

  /**
   * Reads until the router closes; fails if the router sends bytes on a connection that never sent
   * a request, or still holds it after 15 s.
   */
  public static void assertClosedByRouter(Socket s) throws IOException {
    s.setSoTimeout(15_000);
    InputStream in = s.getInputStream();
    byte[] buf = new byte[4096];
    try {
      for (int i = 0; i < 1000; i++) {
        if (in.read(buf) < 0) {
          return;
        }
      }
      fail("the router sent bytes on a connection that never sent a request");
    } catch (SocketTimeoutException e) {
      fail("the router still held a silent connection after 15 s: the idle timeout applied");
    } catch (IOException e) {
      // a reset (or a TLS close without close_notify) is a close as well
    }
  }

  /**
   * The first 12 characters of the next response's status line ({@code HTTP/1.1 200}); its
   * Content-Length body is read and dropped, so the next response can follow on the connection.
   */
  public static String statusLine(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    for (int i = 0; i < 64 * 1024 && !head.toString().endsWith("\r\n\r\n"); i++) {
      int c = in.read();
      if (c < 0) {
        break;
      }
      head.append((char) c);
    }
    String h = head.toString();
    int len = 0;
    for (String line : h.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        len = Integer.parseInt(line.substring(15).trim());
      }
    }
    in.readNBytes(len);
    return h.length() >= 12 ? h.substring(0, 12) : h;
  }
}
