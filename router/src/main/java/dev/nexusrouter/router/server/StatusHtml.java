package dev.nexusrouter.router.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nexusrouter.common.Html;
import java.util.Locale;

/**
 * The status page's HTML: the tables rendered on the server from the same snapshot {@code
 * status.json} serves, and a small inline script that fetches {@code status.json} (a relative URL)
 * every second and redraws them. Text goes into the page escaped, and into the DOM through {@code
 * textContent} only.
 */
final class StatusHtml {
  private StatusHtml() {}

  static String render(JsonNode s) {
    StringBuilder b = new StringBuilder(8192);
    b.append(
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>nexus-router status</title>
        <style>
        body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
        h1{font-size:1.3em;margin:0 0 .2em} h2{font-size:1.05em;margin:1.4em 0 .4em}
        table{border-collapse:collapse;min-width:40em} th,td{padding:.25em .6em;text-align:left;
        border-bottom:1px solid #ddd;vertical-align:top} th{background:#f4f4f4}
        td.num{text-align:right;font-variant-numeric:tabular-nums}
        tr.down td.state{background:#d32f2f;color:#fff;font-weight:bold}
        tr.up td.state{background:#2e7d32;color:#fff} tr.unknown td.state{background:#999;color:#fff}
        td.err{color:#b71c1c} #updated{color:#666} .empty{color:#888;font-style:italic}
        </style></head><body>
        """);
    b.append("<h1>nexus-router ").append(Html.escape(s.path("version").asText())).append("</h1>\n");
    b.append("<p id=\"updated\">rendered ")
        .append(Html.escape(s.path("time").asText()))
        .append("</p>\n");
    b.append("<h2>Upstreams</h2>\n<table id=\"upstreams\"><thead><tr><th>upstream</th>")
        .append("<th>state</th><th>servers</th><th>last check</th><th>latency</th>")
        .append("<th>requests</th><th>last error</th></tr></thead><tbody>");
    for (JsonNode u : s.path("upstreams")) {
      b.append("<tr class=\"")
          .append(Html.escape(u.path("state").asText()))
          .append("\" data-upstream=\"")
          .append(Html.escape(u.path("name").asText()))
          .append("\">");
      td(b, u.path("name").asText(), null);
      td(b, u.path("state").asText(), "state");
      td(b, join(u.path("servers")), null);
      td(b, u.path("detail").asText(), null);
      td(b, u.has("latencyMs") ? u.path("latencyMs").asLong() + " ms" : "-", "num");
      td(b, u.path("requests").asText(), "num");
      td(
          b,
          u.has("lastError")
              ? u.path("lastError").asText() + " at " + u.path("lastErrorAt").asText()
              : "-",
          "err");
      b.append("</tr>");
    }
    b.append("</tbody></table>\n");
    b.append("<h2>Transfers in flight</h2>\n<table id=\"transfers\"><thead><tr><th>method</th>")
        .append("<th>repository</th><th>route</th><th>upstream</th><th>bytes</th><th>rate</th>")
        .append("<th>age</th></tr></thead><tbody>");
    for (JsonNode t : s.path("transfers")) {
      b.append("<tr class=\"transfer\">");
      td(b, t.path("method").asText(), null);
      td(b, t.path("repository").asText(), null);
      td(b, t.path("route").asText(), null);
      td(b, t.path("upstream").asText(), null);
      b.append("<td class=\"num bytes\" data-bytes=\"")
          .append(t.path("bytes").asLong())
          .append("\">")
          .append(Html.escape(bytes(t.path("bytes").asLong())))
          .append("</td>");
      td(b, bytes(t.path("bytesPerSecond").asLong()) + "/s", "num");
      td(b, t.path("ageSeconds").asText() + " s", "num");
      b.append("</tr>");
    }
    b.append("</tbody></table>\n");
    b.append("<h2>Route rows (requests / errors, last 1 and 5 minutes)</h2>\n")
        .append("<table id=\"routes\"><thead><tr><th>row</th><th>rule</th><th>1 min</th>")
        .append("<th>errors</th><th>5 min</th><th>errors</th></tr></thead><tbody>");
    for (JsonNode r : s.path("routes")) {
      b.append("<tr data-route=\"").append(Html.escape(r.path("id").asText())).append("\">");
      td(b, r.path("id").asText(), null);
      td(b, r.path("rule").asText(), null);
      td(b, r.path("count1m").asText(), "num");
      td(b, rate(r.path("errors1m").asLong(), r.path("count1m").asLong()), "num");
      td(b, r.path("count5m").asText(), "num");
      td(b, rate(r.path("errors5m").asLong(), r.path("count5m").asLong()), "num");
      b.append("</tr>");
    }
    b.append("</tbody></table>\n");
    b.append("<h2>Last router errors</h2>\n<table id=\"errors\"><thead><tr><th>time</th>")
        .append("<th>status</th><th>code</th><th>message</th><th>request</th></tr></thead><tbody>");
    for (JsonNode e : s.path("errors")) {
      b.append("<tr>");
      td(b, e.path("at").asText(), null);
      td(b, e.path("status").asText(), "num");
      td(b, e.path("code").asText(), null);
      td(b, e.path("message").asText(), "err");
      td(b, e.path("method").asText() + " " + e.path("path").asText(), null);
      b.append("</tr>");
    }
    b.append("</tbody></table>\n");
    b.append(SCRIPT);
    b.append("</body></html>\n");
    return b.toString();
  }

  private static final String SCRIPT =
      """
      <script>
      (function () {
        "use strict";
        function bytes(n) {
          var u = ["B", "KiB", "MiB", "GiB", "TiB"], i = 0;
          while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
          return (i === 0 ? n : n.toFixed(1)) + " " + u[i];
        }
        function rate(e, n) { return n === 0 ? "-" : e + " (" + (100 * e / n).toFixed(1) + "%)"; }
        function td(tr, text, cls) {
          var c = document.createElement("td");
          c.textContent = text;
          if (cls) { c.className = cls; }
          tr.appendChild(c);
          return c;
        }
        function fill(id, rows, draw) {
          var body = document.querySelector("#" + id + " tbody");
          var out = [];
          rows.forEach(function (r) { var tr = document.createElement("tr"); draw(tr, r); out.push(tr); });
          body.replaceChildren.apply(body, out);
        }
        function draw(s) {
          fill("upstreams", s.upstreams, function (tr, u) {
            tr.className = u.state;
            tr.dataset.upstream = u.name;
            td(tr, u.name); td(tr, u.state, "state"); td(tr, u.servers.join(", "));
            td(tr, u.detail); td(tr, u.latencyMs === undefined ? "-" : u.latencyMs + " ms", "num");
            td(tr, String(u.requests), "num");
            td(tr, u.lastError ? u.lastError + " at " + u.lastErrorAt : "-", "err");
          });
          fill("transfers", s.transfers, function (tr, t) {
            tr.className = "transfer";
            td(tr, t.method); td(tr, t.repository); td(tr, t.route); td(tr, t.upstream);
            td(tr, bytes(t.bytes), "num bytes").dataset.bytes = String(t.bytes);
            td(tr, bytes(t.bytesPerSecond) + "/s", "num"); td(tr, t.ageSeconds + " s", "num");
          });
          fill("routes", s.routes, function (tr, r) {
            tr.dataset.route = r.id;
            td(tr, r.id); td(tr, r.rule);
            td(tr, String(r.count1m), "num"); td(tr, rate(r.errors1m, r.count1m), "num");
            td(tr, String(r.count5m), "num"); td(tr, rate(r.errors5m, r.count5m), "num");
          });
          fill("errors", s.errors, function (tr, e) {
            td(tr, e.at); td(tr, String(e.status), "num"); td(tr, e.code);
            td(tr, e.message, "err"); td(tr, e.method + " " + e.path);
          });
          document.getElementById("updated").textContent = "updated " + s.time;
          document.body.dataset.polls = String(Number(document.body.dataset.polls || 0) + 1);
        }
        function poll() {
          fetch("status.json", {cache: "no-store"})
            .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
            .then(draw)
            .catch(function (e) { document.getElementById("updated").textContent = "update failed: " + e.message; })
            .finally(function () { setTimeout(poll, 1000); });
        }
        setTimeout(poll, 1000);
      })();
      </script>
      """;

  private static void td(StringBuilder b, String text, String cls) {
    b.append(cls == null ? "<td>" : "<td class=\"" + cls + "\">")
        .append(Html.escape(text))
        .append("</td>");
  }

  private static String join(JsonNode list) {
    StringBuilder sb = new StringBuilder();
    for (JsonNode n : list) {
      sb.append(sb.length() == 0 ? "" : ", ").append(n.asText());
    }
    return sb.toString();
  }

  static String rate(long errors, long count) {
    return count == 0
        ? "-"
        : errors + String.format(Locale.ROOT, " (%.1f%%)", 100.0 * errors / count);
  }

  static String bytes(long n) {
    String[] u = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = n;
    int i = 0;
    while (v >= 1024 && i < u.length - 1) {
      v /= 1024;
      i++;
    }
    return i == 0 ? n + " B" : String.format(Locale.ROOT, "%.1f %s", v, u[i]);
  }
}
