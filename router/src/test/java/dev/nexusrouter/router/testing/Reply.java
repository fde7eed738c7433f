package dev.nexusrouter.router.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One scripted upstream answer: status, headers in order, body, and an optional delay before the
 * answer is sent. A reply is also a {@link Responder} that always answers with itself.
 *
 * @param status HTTP status
 * @param headers response headers in order (a name may repeat)
 * @param body body bytes; for HEAD requests only the headers are sent
 * @param delayMillis wait this long before answering (slow upstream)
 */
public record Reply(
    int status, List<Map.Entry<String, String>> headers, byte[] body, long delayMillis)
    implements Responder {

  public Reply {
    headers = List.copyOf(headers);
    body = body == null ? new byte[0] : body.clone();
  }

  public static Reply of(int status) {
    return new Reply(status, List.of(), new byte[0], 0);
  }

  public Reply header(String name, String value) {
    List<Map.Entry<String, String>> h = new ArrayList<>(headers);
    h.add(Map.entry(name, value));
    return new Reply(status, h, body, delayMillis);
  }

  public Reply body(byte[] bytes) {
    return new Reply(status, headers, bytes, delayMillis);
  }

  public Reply body(String text) {
    return body(text.getBytes(StandardCharsets.UTF_8));
  }

  /** A JSON body with {@code Content-Type: application/json}. */
  public Reply json(String json) {
    return header("Content-Type", "application/json").body(json);
  }

  public Reply delay(long millis) {
    return new Reply(status, headers, body, millis);
  }

  /** The first value of a header of this reply, or null. */
  public String headerValue(String name) {
    for (Map.Entry<String, String> e : headers) {
      if (e.getKey().equalsIgnoreCase(name)) {
        return e.getValue();
      }
    }
    return null;
  }

  @Override
  public Reply reply(RecordedRequest request) {
    return this;
  }

  @Override
  public byte[] body() {
    return body.clone();
  }
}
