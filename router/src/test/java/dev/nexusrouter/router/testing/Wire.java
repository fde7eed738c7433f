package dev.nexusrouter.router.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Raw bytes on a {@link RawConnection} and every response that comes back until the router closes
 * the connection (or a read timeout): for requests no well-behaved client library would send. Its
 * parser keeps what a truncated or pipelined exchange left on the wire, which the fault tests
 * assert on; {@link RawConnection#readResponse} is the strict one.
 */
public final class Wire {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One parsed response. */
  public record Response(int status, Map<String, String> headers, byte[] body) {
    public String header(String name) {
      return headers.get(name);
    }

    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
      return status + " " + headers + " " + text();
    }
  }

  /** All responses read, and whether the connection ended by EOF/reset (true) or timeout. */
  public record Outcome(List<Response> responses, boolean closed, String raw) {
    public Response first() {
      return responses.isEmpty() ? null : responses.get(0);
    }

    @Override
    public String toString() {
      return (closed ? "closed" : "timed out")
          + " after "
          + responses.size()
          + " response(s): "
          + raw;
    }
  }

  private Wire() {}

  /** Sends {@code raw} (ISO-8859-1) and reads until the peer closes, at most {@code timeoutMs}. */
  public static Outcome send(int port, String raw, int timeoutMs) throws IOException {
    return send(port, raw.getBytes(StandardCharsets.ISO_8859_1), timeoutMs);
  }

  public static Outcome send(int port, byte[] raw, int timeoutMs) throws IOException {
    try (RawConnection c = new RawConnection(port, timeoutMs)) {
      write(c, raw);
      return readAll(c.in());
    }
  }

  /**
   * Sends {@code raw} (ISO-8859-1) and returns every byte that came back until the peer closed,
   * reset or the read timeout, unparsed: for answers cut mid-body.
   */
  public static byte[] sendUnparsed(int port, String raw, int timeoutMs) throws IOException {
    try (RawConnection c = new RawConnection(port, timeoutMs)) {
      write(c, raw.getBytes(StandardCharsets.ISO_8859_1));
      return drain(c.in()).bytes();
    }
  }

  private static void write(RawConnection c, byte[] raw) {
    try {
      c.out.write(raw);
      c.out.flush();
    } catch (IOException e) {
      // the router may close early (e.g. on oversized headers): read what it said
    }
  }

  /** Reads until EOF, reset or timeout and parses every complete response in the bytes. */
  public static Outcome readAll(InputStream in) {
    Drained d = drain(in);
    return new Outcome(
        parse(d.bytes()), d.closed(), new String(d.bytes(), StandardCharsets.ISO_8859_1));
  }

  /** What arrived, and whether the connection ended by EOF/reset (true) or timeout. */
  private record Drained(byte[] bytes, boolean closed) {}

  private static Drained drain(InputStream in) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    boolean closed = true;
    byte[] buf = new byte[16384];
    try {
      int n;
      while ((n = in.read(buf)) >= 0) {
        b.write(buf, 0, n);
      }
    } catch (SocketTimeoutException e) {
      closed = false;
    } catch (IOException e) {
      closed = true; // reset
    }
    return new Drained(b.toByteArray(), closed);
  }

  static List<Response> parse(byte[] all) {
    List<Response> out = new ArrayList<>();
    int pos = 0;
    String text = new String(all, StandardCharsets.ISO_8859_1);
    while (pos < all.length) {
      int end = text.indexOf("\r\n\r\n", pos);
      if (end < 0) {
        break;
      }
      String[] lines = text.substring(pos, end).split("\r\n");
      String[] status = lines[0].split(" ", 3);
      if (status.length < 2 || !status[0].startsWith("HTTP/")) {
        break;
      }
      Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      for (int i = 1; i < lines.length; i++) {
        int c = lines[i].indexOf(':');
        if (c > 0) {
          headers.merge(
              lines[i].substring(0, c).trim(),
              lines[i].substring(c + 1).trim(),
              (a, x) -> a + ", " + x);
        }
      }
      pos = end + 4;
      int code = Integer.parseInt(status[1]);
      String cl = headers.get("Content-Length");
      String te = headers.get("Transfer-Encoding");
      byte[] body;
      if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
        ByteArrayOutputStream bb = new ByteArrayOutputStream();
        while (true) {
          int le = text.indexOf("\r\n", pos);
          if (le < 0) {
            break;
          }
          int size = Integer.parseInt(text.substring(pos, le).split(";")[0].trim(), 16);
          pos = le + 2;
          if (size == 0) {
            pos = Math.min(all.length, pos + 2);
            break;
          }
          bb.write(all, pos, Math.min(size, all.length - pos));
          pos += size + 2;
        }
        body = bb.toByteArray();
      } else if (cl != null) {
        int len = Math.min(Integer.parseInt(cl.trim()), all.length - pos);
        body = java.util.Arrays.copyOfRange(all, pos, pos + len);
        pos += len;
      } else if (code == 204 || code == 304 || code < 200) {
        body = new byte[0];
      } else {
        body = java.util.Arrays.copyOfRange(all, pos, all.length);
        pos = all.length;
      }
      out.add(new Response(code, headers, body));
    }
    return out;
  }

  /** Asserts a router-authored error: the status, registry JSON body and headers. */
  public static JsonNode assertRegistryError(Response r, int status) {
    assertEquals(status, r.status(), r::toString);
    return assertRegistryJson(r);
  }

  /** Asserts the body is a registry error document: {"errors":[{"code":..,"message":..}]}. */
  public static JsonNode assertRegistryJson(Response r) {
    String type = r.header("Content-Type");
    assertTrue(type != null && type.startsWith("application/json"), () -> "Content-Type: " + r);
    assertEquals("registry/2.0", r.header("Docker-Distribution-Api-Version"), r::toString);
    return assertRegistryJson(r.text());
  }

  public static JsonNode assertRegistryJson(String body) {
    JsonNode n;
    try {
      n = JSON.readTree(body);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + body, e);
    }
    JsonNode errors = n.get("errors");
    assertTrue(
        errors != null && errors.isArray() && errors.size() > 0, () -> "no errors[]: " + body);
    for (JsonNode e : errors) {
      assertTrue(e.get("code") != null && e.get("code").isTextual(), () -> "no code: " + body);
      assertTrue(
          e.get("message") != null && e.get("message").isTextual(), () -> "no message: " + body);
    }
    return n;
  }
}
