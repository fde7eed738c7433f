package dev.nexusrouter.router.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A response as read off the wire by {@link RawConnection}.
 *
 * @param status status code
 * @param headers headers in arrival order
 * @param body body bytes (de-chunked)
 */
public record RawResponse(int status, List<Map.Entry<String, String>> headers, byte[] body) {

  public RawResponse {
    headers = List.copyOf(headers);
    body = body.clone();
  }

  /** First value of a header, or null. */
  public String header(String name) {
    for (Map.Entry<String, String> e : headers) {
      if (e.getKey().equalsIgnoreCase(name)) {
        return e.getValue();
      }
    }
    return null;
  }

  /** All values of a header. */
  public List<String> headerValues(String name) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, String> e : headers) {
      if (e.getKey().equalsIgnoreCase(name)) {
        out.add(e.getValue());
      }
    }
    return out;
  }

  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }

  @Override
  public byte[] body() {
    return body.clone();
  }

  @Override
  public String toString() {
    return status + " " + headers + " " + bodyText();
  }
}
