package dev.nexusrouter.router.migrate;

import dev.nexusrouter.router.config.Sizes;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Directives whose meaning does not depend on the block they are in: nginx tuning with no
 * counterpart, buffering and TLS settings the router fixes, client timeouts, and the {@code
 * proxy_set_header}s the proxy sets by itself. The reasons are in docs/migration.md.
 */
final class CommonDirectives {
  private final Report report;
  private final Plan plan;

  CommonDirectives(Report report, Plan plan) {
    this.report = report;
    this.plan = plan;
  }

  /** nginx tuning with no counterpart: the router streams with its own pooled buffers. */
  private static final Set<String> TUNING =
      Set.of(
          "worker_processes",
          "pid",
          "user",
          "worker_rlimit_nofile",
          "worker_connections",
          "multi_accept",
          "use",
          "load_module",
          "sendfile",
          "tcp_nopush",
          "tcp_nodelay",
          "types_hash_max_size",
          "server_names_hash_bucket_size",
          "server_names_hash_max_size",
          "default_type",
          "types",
          "gzip",
          "gzip_vary",
          "gzip_proxied",
          "gzip_comp_level",
          "gzip_buffers",
          "gzip_http_version",
          "gzip_types",
          "gzip_disable",
          "gzip_min_length",
          "server_tokens",
          "open_file_cache",
          "ssl_buffer_size",
          "include",
          "events");

  private static final Set<String> BUFFERING =
      Set.of(
          "proxy_buffering",
          "proxy_request_buffering",
          "proxy_max_temp_file_size",
          "proxy_buffer_size",
          "proxy_buffers",
          "proxy_busy_buffers_size",
          "proxy_temp_file_write_size",
          "proxy_temp_path",
          "client_body_buffer_size",
          "client_body_temp_path");

  private static final Set<String> TLS_TUNING =
      Set.of(
          "ssl_protocols",
          "ssl_ciphers",
          "ssl_prefer_server_ciphers",
          "ssl_session_cache",
          "ssl_session_timeout",
          "ssl_session_tickets",
          "ssl_dhparam",
          "ssl_ecdh_curve",
          "ssl_stapling",
          "ssl_stapling_verify",
          "ssl_trusted_certificate",
          "ssl_conf_command");

  private static final Map<String, String> CLIENT =
      Map.of(
          "keepalive_timeout", "idle-timeout",
          "client_header_timeout", "header-timeout",
          "client_body_timeout", "body-timeout",
          "send_timeout", "send-timeout");

  /** Directives whose meaning does not depend on where they are. */
  void generic(Directive d) {
    String n = d.name();
    if (TUNING.contains(n)) {
      report.changed(
          d, "nginx process/transfer tuning; the router sizes threads and buffers itself");
      if (d.isBlock()) {
        for (Directive c : d.children()) {
          if (n.equals("types")) {
            report.changed(c, "Content-Type comes from Nexus; the router does not map file types");
          } else {
            generic(c);
          }
        }
      }
    } else if (BUFFERING.contains(n)) {
      report.changed(
          d, "buffering: the router never buffers bodies, uploads and downloads always stream");
    } else if (TLS_TUNING.contains(n)) {
      report.changed(d, "TLS 1.2 and 1.3 with forward-secret AEAD suites only; not configurable");
    } else if (n.equals("log_format")) {
      report.changed(d, "the router logs in combined or json format; custom formats are not kept");
    } else if (n.equals("error_log")) {
      report.changed(
          d,
          "the router has one log of its own on stderr (journal or container log); failed"
              + " requests are in the access log with their status");
    } else if (n.equals("chunked_transfer_encoding")) {
      report.translated(d, "built in: chunked request bodies are accepted and streamed");
    } else if (n.equals("proxy_http_version")) {
      report.translated(d, "built in: HTTP/1.1 keep-alive pools to every upstream");
    } else if (n.equals("proxy_redirect")) {
      report.changed(
          d, "the router rewrites upstream Location and token-realm URLs to the client's address");
    } else if (n.equals("resolver") || n.equals("resolver_timeout")) {
      report.changed(d, "upstream host names are resolved by the JVM");
    } else if (n.equals("add_header")
        && d.arg(0).equalsIgnoreCase("Docker-Distribution-Api-Version")) {
      report.translated(d, "built in: Nexus sends it, and so do the router's own errors");
    } else if (n.equals("proxy_set_header")) {
      header(d, false);
    } else if (n.equals("http2")) {
      report.changed(d, http2Reason());
    } else if (CLIENT.containsKey(n)) {
      Duration v = Sizes.parseDuration(d.arg(0));
      if (v == null) {
        report.notUnderstood(d, "not a duration");
      } else {
        plan.client.put(CLIENT.get(n), Sizes.format(v));
        report.translated(d, "client." + CLIENT.get(n) + ": " + Sizes.format(v));
      }
    }
  }

  static String http2Reason() {
    return "HTTP/2 is left off (http2: false): Undertow limits HTTP/2 uploads to one 64 KiB"
        + " window per round trip, and docker/containerd pick h2 when offered";
  }

  void header(Directive d, boolean tls) {
    String name = d.arg(0).toLowerCase(Locale.ROOT);
    String value = d.arg(1);
    switch (name) {
      case "host" -> {
        if (value.equals("$http_host") || value.equals("$host:$server_port")) {
          report.translated(d, "built in: the client's Host, port included, reaches Nexus");
        } else if (value.equals("$host")) {
          report.changed(
              d,
              "Host $host drops the port: the router forwards the client's Host as sent, port"
                  + " included, so Nexus builds Location and token-realm URLs clients can reach");
        } else {
          report.changed(d, "the router forwards the client's Host as sent");
        }
      }
      case "x-real-ip" -> report.translated(d, "built in: X-Real-IP is the client address");
      case "x-forwarded-for" ->
          report.translated(d, "built in: the client address is appended to X-Forwarded-For");
      case "x-forwarded-proto" -> {
        if (value.equals("$scheme") || (tls && value.equalsIgnoreCase("https"))) {
          report.translated(d, "built in: X-Forwarded-Proto is the listener's real scheme");
        } else {
          report.changed(
              d, "X-Forwarded-Proto is always the listener's real scheme, not a fixed value");
        }
      }
      case "x-forwarded-host", "x-forwarded-port", "x-forwarded-server" ->
          report.changed(
              d,
              "not sent: with a port in it Nexus builds host:port:port URLs; the router rewrites"
                  + " Location instead");
      case "connection", "upgrade" ->
          report.translated(d, "built in: hop-by-hop headers are handled by the proxy");
      case "authorization", "proxy-authorization" ->
          report.notUnderstood(
              d,
              "needs manual work: nginx sent these credentials to Nexus for every client; the"
                  + " router sends none of its own (the output must not hold secrets), so clients"
                  + " that relied on them get 401 until they log in (docker login) or Nexus"
                  + " allows anonymous access");
      default ->
          report.notUnderstood(
              d,
              Redact.carriesSecretValue(d)
                  ? "needs manual work: the router does not add request headers, and this one"
                      + " carries a secret the output must not hold"
                  : "the router does not add custom request headers");
    }
  }
}
