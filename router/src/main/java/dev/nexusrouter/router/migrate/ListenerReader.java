package dev.nexusrouter.router.migrate;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * nginx {@code listen} (address, port, {@code ssl}, {@code default_server}), {@code ssl on} and the
 * certificate files into the plan's listeners: one per address and port, as the router serves every
 * host on every listener.
 */
final class ListenerReader {
  private final Report report;
  private final Plan plan;
  private final UnaryOperator<String> files;

  /**
   * @param files makes a file name from the configuration absolute
   */
  ListenerReader(Report report, Plan plan, UnaryOperator<String> files) {
    this.report = report;
    this.plan = plan;
    this.files = files;
  }

  /** What a server's listen directives said about it. */
  record Listen(boolean tls, boolean defaultServer) {}

  /** Listener per (address, port), shared by every server block that listens there. */
  Listen read(Directive s) throws NginxException {
    boolean defaultServer = false;
    Directive cert = s.last("ssl_certificate");
    Directive key = s.last("ssl_certificate_key");
    Directive sslOn = s.last("ssl");
    boolean tls = false;
    for (Directive l : s.children()) {
      if (!l.name().equals("listen")) {
        continue;
      }
      String addr = l.arg(0);
      if (addr.startsWith("unix:")) {
        report.notUnderstood(l, "unix sockets are not supported");
        continue;
      }
      String host = "0.0.0.0";
      String port = addr;
      int colon = addr.lastIndexOf(':');
      if (addr.startsWith("[")) {
        report.changed(
            l,
            "one listener per port on 0.0.0.0; IPv6 [::] listens are merged into it (set"
                + " address: '::' for dual stack)");
        continue;
      }
      if (colon >= 0) {
        host = addr.substring(0, colon).equals("*") ? "0.0.0.0" : addr.substring(0, colon);
        port = addr.substring(colon + 1);
      } else if (!port.matches("\\d+")) {
        host = addr;
        port = "80";
      }
      boolean ssl = l.args().contains("ssl") || (sslOn != null && sslOn.arg(0).equals("on"));
      tls |= ssl;
      if (!port.matches("\\d{1,5}") || Integer.parseInt(port) > 65535) {
        throw new NginxException(l.where(), "listen '" + addr + "': not a port");
      }
      int portNo = Integer.parseInt(port);
      Plan.Listener existing = null;
      for (Plan.Listener x : plan.listeners) {
        if (x.address.equals(host) && x.port == portNo) {
          existing = x;
        }
      }
      List<String> extras = new ArrayList<>(l.args().subList(1, l.args().size()));
      extras.remove("ssl");
      if (extras.remove("default_server") | extras.remove("default")) {
        defaultServer = true;
      }
      if (extras.remove("http2")) {
        report.changed(l, CommonDirectives.http2Reason());
      }
      if (!extras.isEmpty()) {
        report.changed(l, "listen options " + extras + " have no router equivalent");
      }
      if (existing == null) {
        Plan.Listener x = new Plan.Listener();
        x.address = host;
        x.port = portNo;
        x.from = l.where().toString();
        if (ssl) {
          if (cert == null || key == null) {
            throw new NginxException(l.where(), "ssl listener without ssl_certificate/_key");
          }
          x.cert = files.apply(cert.arg(0));
          x.key = files.apply(key.arg(0));
          report.translated(cert, "listeners[].tls.cert-file");
          report.translated(key, "listeners[].tls.key-file");
        }
        x.name = (ssl ? "https" : "http") + (portNo == 443 || portNo == 80 ? "" : "-" + portNo);
        plan.listeners.add(x);
        report.translated(l, "listeners[" + (plan.listeners.size() - 1) + "] " + x.name);
      } else {
        if ((existing.cert != null) != ssl) {
          throw new NginxException(l.where(), "port " + portNo + " is both TLS and plain");
        }
        if (ssl && cert != null && !files.apply(cert.arg(0)).equals(existing.cert)) {
          report.changed(
              cert,
              "one certificate per listener: "
                  + existing.cert
                  + " (from "
                  + existing.from
                  + ") is used; it must cover this host's names");
          report.changed(key, "see ssl_certificate");
        } else if (ssl) {
          report.translated(cert, "same certificate as listener " + existing.name);
          report.translated(key, "same key as listener " + existing.name);
        }
        report.translated(l, "listener " + existing.name + " (shared)");
      }
    }
    if (sslOn != null) {
      report.translated(sslOn, "listeners with tls");
    }
    return new Listen(tls, defaultServer);
  }
}
