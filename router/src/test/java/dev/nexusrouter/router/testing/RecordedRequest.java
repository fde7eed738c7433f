package dev.nexusrouter.router.testing;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a fake upstream received.
 *
 * @param upstream name of the fake that received it
 * @param method request method
 * @param uri raw request target as received: path plus {@code ?query} when there is one
 * @param path raw path without the query string
 * @param query raw query string without {@code ?}, or "" when there is none
 * @param headers all headers, names case-insensitive, values in arrival order
 * @param bodyLength number of body bytes received (after de-chunking)
 * @param bodySha256 lower-case hex SHA-256 of the body bytes
 * @param localPort the port of the fake that received it (to build "internal" URLs)
 */
public record RecordedRequest(
    String upstream,
    String method,
    String uri,
    String path,
    String query,
    Map<String, List<String>> headers,
    long bodyLength,
    String bodySha256,
    int localPort) {

  public RecordedRequest {
    TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    headers = java.util.Collections.unmodifiableMap(copy);
  }

  /** The first value of a header, or null when absent. */
  public String header(String name) {
    List<String> v = headers.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  /** All values of a header (empty when absent). */
  public List<String> headerValues(String name) {
    List<String> v = headers.get(name);
    return v == null ? List.of() : v;
  }

  public boolean hasHeader(String name) {
    return headers.containsKey(name);
  }

  /** {@code <X-Forwarded-Proto>://<Host>}: the public base Nexus builds absolute URLs from. */
  public String forwardedBase() {
    String proto = header("X-Forwarded-Proto");
    return (proto == null ? "http" : proto) + "://" + header("Host");
  }

  @Override
  public String toString() {
    return upstream + " <- " + method + " " + uri;
  }
}
