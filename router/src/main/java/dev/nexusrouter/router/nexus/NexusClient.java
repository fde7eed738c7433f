package dev.nexusrouter.router.nexus;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nexusrouter.common.Json;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.http.io.support.ClassicRequestBuilder;
import org.apache.hc.core5.util.Timeout;

/**
 * The Nexus REST API over Apache HttpClient 5: Basic auth sent pre-emptively on every call (no
 * session, hence no anti-CSRF token), JSON everywhere except the password change. Status codes are
 * returned, not thrown; {@link #check} turns unexpected ones into one-line messages.
 */
final class NexusClient implements AutoCloseable {
  static final String REST = "/service/rest";
  private static final ContentType TEXT_PLAIN =
      ContentType.create("text/plain", StandardCharsets.UTF_8);

  private final ObjectMapper json = Json.lenientMapper();
  private final String base;
  private final CloseableHttpClient http;
  private Credentials credentials;

  /** One HTTP exchange: status, body text and the {@code Server} header (version discovery). */
  record Response(int status, String body, String server) {
    boolean ok() {
      return status >= 200 && status < 300;
    }
  }

  NexusClient(URI base, Credentials credentials) {
    String b = base.toString();
    this.base = b.endsWith("/") ? b.substring(0, b.length() - 1) : b;
    this.credentials = credentials;
    this.http =
        HttpClients.custom()
            .setConnectionManager(
                PoolingHttpClientConnectionManagerBuilder.create()
                    .setDefaultConnectionConfig(
                        ConnectionConfig.custom()
                            .setConnectTimeout(Timeout.ofSeconds(10))
                            .setSocketTimeout(Timeout.ofSeconds(120))
                            .build())
                    .build())
            .setDefaultRequestConfig(
                RequestConfig.custom().setResponseTimeout(120, TimeUnit.SECONDS).build())
            .disableCookieManagement()
            .disableAutomaticRetries()
            .build();
  }

  String baseUrl() {
    return base;
  }

  Credentials credentials() {
    return credentials;
  }

  void useCredentials(Credentials c) {
    this.credentials = c;
  }

  ObjectMapper json() {
    return json;
  }

  Response get(String path) {
    return send(ClassicRequestBuilder.get(url(path)), path, null, null);
  }

  /** GET without credentials: status endpoints answer anonymous callers. */
  Response getAnonymous(String path) {
    ClassicRequestBuilder b = ClassicRequestBuilder.get(url(path));
    b.addHeader(HttpHeaders.ACCEPT, "application/json");
    return execute(b.build(), "GET", path);
  }

  Response post(String path, JsonNode body) {
    return send(
        ClassicRequestBuilder.post(url(path)), path, write(body), ContentType.APPLICATION_JSON);
  }

  Response put(String path, JsonNode body) {
    return send(
        ClassicRequestBuilder.put(url(path)), path, write(body), ContentType.APPLICATION_JSON);
  }

  /** PUT with a {@code text/plain} body: the change-password endpoint refuses JSON. */
  Response putText(String path, String body) {
    return send(ClassicRequestBuilder.put(url(path)), path, body, TEXT_PLAIN);
  }

  JsonNode parse(Response r, String what) {
    try {
      return json.readTree(r.body());
    } catch (JsonProcessingException e) {
      throw new NexusException("Nexus answered " + what + " with something that is not JSON");
    }
  }

  private String write(JsonNode body) {
    try {
      return json.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private String url(String path) {
    return base + REST + path;
  }

  private Response send(ClassicRequestBuilder b, String path, String body, ContentType type) {
    b.addHeader(HttpHeaders.ACCEPT, "application/json");
    if (credentials != null) {
      b.addHeader(HttpHeaders.AUTHORIZATION, credentials.basicAuthorization());
    }
    if (body != null) {
      b.setEntity(new StringEntity(body, type));
    }
    return execute(b.build(), b.getMethod(), path);
  }

  private Response execute(ClassicHttpRequest request, String method, String path) {
    try {
      return http.execute(
          request,
          response -> {
            Header server = response.getFirstHeader("Server");
            String text =
                response.getEntity() == null
                    ? ""
                    : EntityUtils.toString(response.getEntity(), StandardCharsets.UTF_8);
            return new Response(
                response.getCode(), text, server == null ? null : server.getValue());
          });
    } catch (ConnectException e) {
      // Nexus opens its port only once it has started: refused also means "still starting"
      throw new NexusException(
          "cannot connect to "
              + base
              + ": connection refused (is Nexus running, is --url right? While starting, Nexus"
              + " refuses connections: use --wait)");
    } catch (UnknownHostException e) {
      throw new NexusException("cannot connect to " + base + ": unknown host");
    } catch (InterruptedIOException e) {
      throw new NexusException(method + " " + REST + path + ": Nexus did not answer in time");
    } catch (IOException e) {
      throw new NexusException(
          method + " " + REST + path + " failed: " + e.getClass().getSimpleName());
    }
  }

  /**
   * Throws a one-line message unless the status is one of {@code expected}. {@code what} completes
   * "cannot …", e.g. "create docker proxy 'docker-hub'".
   */
  Response check(Response r, String what, int... expected) {
    for (int s : expected) {
      if (r.status() == s) {
        return r;
      }
    }
    throw new NexusException("cannot " + what + ": " + explain(r));
  }

  String explain(Response r) {
    String user = credentials == null ? "(anonymous)" : "'" + credentials.user() + "'";
    return switch (r.status()) {
      case 401 ->
          "Nexus rejected the credentials of user "
              + user
              + " (401 Unauthorized); check NEXUS_USER and the password (--password-file,"
              + " NEXUS_PASSWORD_FILE or NEXUS_PASSWORD)";
      case 403 ->
          credentials == null
              ? "Nexus refused the anonymous request (403 Forbidden): anonymous access is on, but"
                  + " this needs an administrator. Set NEXUS_PASSWORD_FILE or NEXUS_PASSWORD, or"
                  + " use --password-file"
              : "user "
                  + user
                  + " lacks the permission (403 Forbidden); use an administrator account";
      case 503 ->
          "Nexus is not ready (503 Service Unavailable): it is starting, stopping or in read-only"
              + " mode; retry later or use --wait";
      default -> r.status() + " " + nexusMessage(r.body());
    };
  }

  /**
   * {@code ValidationErrorXO{id='*', message='"Unknown realmIds: [DockerToken]"'}}: the {@code
   * text/plain} body Nexus 3.71 sends when a JSON error is rendered for a non-JSON request (the
   * realm PUT); the message may itself be a quoted JSON string.
   */
  private static final Pattern VALIDATION_XO =
      Pattern.compile("ValidationErrorXO\\{id='[^']*', message='(.*)'\\}", Pattern.DOTALL);

  /**
   * Nexus's error text on one line: validation lists {@code [{"id","message"}]}, a bare JSON string
   * (≤3.45) or {@code {"id","message"}} (≥3.60), the {@code ValidationErrorXO{…}} text of 3.71,
   * else the raw text, shortened.
   */
  String nexusMessage(String body) {
    if (body == null || body.isBlank()) {
      return "(no message)";
    }
    Matcher xo = VALIDATION_XO.matcher(body.strip());
    if (xo.matches()) {
      body = xo.group(1);
    }
    List<String> parts = new ArrayList<>();
    try {
      JsonNode n = json.readTree(body);
      if (n.isArray()) {
        n.forEach(
            e -> parts.add(e.isObject() ? e.path("message").asText(e.toString()) : e.asText()));
      } else if (n.isObject() && n.has("message")) {
        parts.add(n.get("message").asText());
      } else if (n.isTextual()) {
        parts.add(n.asText());
      }
    } catch (JsonProcessingException e) {
      // not JSON: fall through to the raw text
    }
    parts.replaceAll(this::unquote);
    String text = parts.isEmpty() ? body : String.join("; ", parts);
    text = text.replaceAll("\\s+", " ").trim();
    return text.length() > 300 ? text.substring(0, 300) + "…" : text;
  }

  /** Nexus 3.60+ wraps the message text in JSON quotes once more: {@code "\"Not found\""}. */
  private String unquote(String message) {
    String m = message.strip();
    if (m.length() >= 2 && m.startsWith("\"") && m.endsWith("\"")) {
      try {
        return json.readTree(m).asText(m);
      } catch (JsonProcessingException e) {
        return m;
      }
    }
    return m;
  }

  @Override
  public void close() {
    try {
      http.close();
    } catch (IOException e) {
      // nothing useful to do: the process is about to exit
    }
  }
}
