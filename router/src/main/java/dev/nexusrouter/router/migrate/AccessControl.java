package dev.nexusrouter.router.migrate;

import java.util.List;
import java.util.Locale;

/**
 * The nginx directives that refuse requests or clients: address lists, passwords, sub-request
 * authorization, method limits, client certificates, and a {@code return 4xx} or {@code deny} that
 * closes a location. The router enforces none of them, so an import that drops them opens what
 * nginx kept closed; {@link ImportNginxCommand} fails unless the user accepts that. See
 * docs/migration.md.
 */
final class AccessControl {
  private AccessControl() {}

  /** Files every access-control directive of the tree under {@link Report.Status#ACCESS}. */
  static void classify(List<Directive> tree, Report report) {
    for (Directive d : tree) {
      String why = why(d);
      if (why != null) {
        report.access(d, why);
      }
      if (d.isBlock()) {
        classify(d.children(), report);
      }
    }
  }

  /** Why {@code d} is access control the router does not enforce, or null. */
  static String why(Directive d) {
    return switch (d.name()) {
      case "allow", "deny" ->
          "nginx let only some client addresses in; the router accepts every client that reaches"
              + " its listener (restrict it with a firewall, or with Nexus permissions)";
      case "auth_basic" ->
          d.arg(0).equals("off")
              ? null
              : "nginx asked for a password (HTTP basic auth) before proxying; the router does"
                  + " not, so only Nexus's own permissions remain";
      case "auth_basic_user_file" -> "the password file of nginx's basic auth; the router has none";
      case "auth_request", "auth_request_set", "auth_jwt", "auth_jwt_key_file" ->
          "nginx asked another service whether to let each request through; the router does not";
      case "satisfy" -> "how nginx combined its address and password checks; neither is kept";
      case "limit_except" ->
          "nginx refused methods other than "
              + String.join(" ", d.args())
              + " (e.g. pushes) by the rules inside; the router forwards every method";
      case "ssl_verify_client" ->
          d.arg(0).equals("off")
              ? null
              : "nginx required a client certificate (mutual TLS); the router does not ask for one";
      case "ssl_client_certificate", "ssl_verify_depth", "ssl_crl" ->
          "part of nginx's client-certificate check (mutual TLS); the router does not check"
              + " client certificates";
      case "return" ->
          isRefusal(d)
              ? "nginx answered " + d.arg(0) + " here; the router forwards these requests"
              : null;
      case "location", "if" -> refusingBlock(d);
      default -> null;
    };
  }

  /** A location or if-block that refuses what it matches (its own deny or return 4xx). */
  private static String refusingBlock(Directive d) {
    if (!d.isBlock()) {
      return null;
    }
    for (Directive c : d.children()) {
      if (isRefusal(c) || (c.name().equals("deny") && c.arg(0).equals("all"))) {
        return "nginx refused every request "
            + (d.name().equals("location")
                ? "to location " + String.join(" ", d.args())
                : "matching if (" + String.join(" ", d.args()) + ")")
            + " with '"
            + c.text()
            + "'; the router sends such requests to the host's upstreams like any other";
      }
    }
    return null;
  }

  /** {@code return 4xx}: 400 to 499, nginx's 444 (close the connection) included. */
  private static boolean isRefusal(Directive d) {
    return d.name().equals("return") && d.arg(0).toLowerCase(Locale.ROOT).matches("4\\d\\d");
  }
}
