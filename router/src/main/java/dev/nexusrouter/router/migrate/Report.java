package dev.nexusrouter.router.migrate;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * What became of every directive: access control the router does not enforce (printed first: the
 * import then fails unless the user accepts it), translated (or built into the router), changed on
 * purpose with the reason, or not understood. {@link #finish} files every directive nobody
 * classified under "not understood", so nothing is ever dropped without a line in the report.
 * Directives are shown with their secrets masked ({@link Redact}).
 */
final class Report {
  enum Status {
    ACCESS(
        "ACCESS CONTROL THE ROUTER DOES NOT ENFORCE (nginx refused these requests or clients;"
            + " the router lets them through)"),
    TRANSLATED("translated"),
    CHANGED("changed on purpose"),
    NOT_UNDERSTOOD("not understood (left out of the output: check by hand)");

    final String title;

    Status(String title) {
      this.title = title;
    }
  }

  record Line(Status status, Directive directive, String note) {}

  private final Map<Directive, Line> lines = new IdentityHashMap<>();
  private final List<Line> extra = new ArrayList<>();
  private final List<Directive> order = new ArrayList<>();
  private final Map<Directive, Boolean> seen = new IdentityHashMap<>();

  /** Classifies a directive; a later call for the same directive replaces the note. */
  void put(Directive d, Status s, String note) {
    Line old = lines.get(d);
    if (old != null && old.status() == Status.ACCESS && s != Status.ACCESS) {
      return; // an open door is never hidden behind a later "translated"
    }
    if (old != null && old.status() == Status.CHANGED && s == Status.TRANSLATED) {
      return; // a reason to look is kept over a plain "translated"
    }
    lines.put(d, new Line(s, d, note));
  }

  void translated(Directive d, String note) {
    put(d, Status.TRANSLATED, note);
  }

  void changed(Directive d, String note) {
    put(d, Status.CHANGED, note);
  }

  void notUnderstood(Directive d, String note) {
    put(d, Status.NOT_UNDERSTOOD, note);
  }

  void access(Directive d, String note) {
    put(d, Status.ACCESS, note);
  }

  /** The files the configuration was read from, as shown in the report. */
  void filesRead(List<String> files) {
    this.files = List.copyOf(files);
  }

  private List<String> files = List.of();

  /** A line about the output as a whole (e.g. the admin listener that was added). */
  void added(String note) {
    extra.add(new Line(Status.CHANGED, null, note));
  }

  boolean has(Directive d) {
    return lines.containsKey(d);
  }

  /** Walks the whole tree: every directive without a line gets "not understood". */
  void finish(List<Directive> all) {
    for (Directive d : all) {
      if (seen.put(d, Boolean.TRUE) != null) {
        continue;
      }
      order.add(d);
      if (!lines.containsKey(d)) {
        notUnderstood(d, "no translation for this directive");
      }
      if (d.isBlock()) {
        finish(d.children());
      }
    }
  }

  List<Line> lines(Status s) {
    List<Line> out = new ArrayList<>();
    for (Directive d : order) {
      Line l = lines.get(d);
      if (l != null && l.status() == s) {
        out.add(l);
      }
    }
    if (s == Status.CHANGED) {
      out.addAll(extra);
    }
    return out;
  }

  int count(Status s) {
    return lines(s).size();
  }

  String render(String source, String target) {
    StringBuilder sb = new StringBuilder();
    sb.append("import-nginx: ").append(source).append(" -> ").append(target).append('\n');
    if (!files.isEmpty()) {
      sb.append("files read:\n");
      for (String f : files) {
        sb.append("  ").append(f).append('\n');
      }
    }
    if (count(Status.ACCESS) > 0) {
      sb.append(count(Status.ACCESS)).append(" ACCESS CONTROL NOT ENFORCED, ");
    }
    sb.append(count(Status.TRANSLATED))
        .append(" translated, ")
        .append(count(Status.CHANGED))
        .append(" changed on purpose, ")
        .append(count(Status.NOT_UNDERSTOOD))
        .append(" not understood\n");
    for (Status s : Status.values()) {
      List<Line> ls = lines(s);
      if (ls.isEmpty()) {
        continue;
      }
      sb.append('\n').append(s.title).append(":\n");
      for (Line l : ls) {
        if (l.directive() == null) {
          sb.append("  (added)  ").append(Redact.text(l.note())).append('\n');
          continue;
        }
        sb.append("  ")
            .append(l.directive().where())
            .append("  ")
            .append(Redact.shown(l.directive()))
            .append("\n      -> ")
            .append(Redact.text(l.note()))
            .append('\n');
      }
    }
    return sb.toString();
  }
}
