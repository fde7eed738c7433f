package dev.nexusrouter.router.nexus;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * What provisioning will do, item by item, in the order it will be done. Printed before anything
 * changes (and alone with --dry-run); contains names, ports and settings, never credentials.
 */
final class Plan {

  enum Action {
    CREATE("create"),
    UPDATE("update"),
    UNCHANGED("ok"),
    CONFLICT("CONFLICT"),
    /** Needs the docker format, which this Nexus lacks: nothing is sent. */
    SKIPPED("SKIPPED");

    final String label;

    Action(String label) {
      this.label = label;
    }
  }

  /** One setting that differs: {@code docker.httpPort: 8093 -> 8083}. */
  record Change(String field, String current, String desired) {
    @Override
    public String toString() {
      return field + ": " + current + " -> " + desired;
    }
  }

  /**
   * One item of the layout.
   *
   * @param subject e.g. {@code docker proxy 'docker-hub'}
   * @param summary one-line detail for creates, or null
   * @param changes fields that differ (updates)
   * @param problems why the item cannot be brought in line automatically (conflicts)
   * @param apply the request(s) that carry out the step; null when nothing is to be sent
   */
  record Step(
      Action action,
      String subject,
      String summary,
      List<Change> changes,
      List<String> problems,
      Runnable apply) {

    Step {
      changes = List.copyOf(changes);
      problems = List.copyOf(problems);
    }

    String title() {
      return action.label + " " + subject;
    }

    boolean pending() {
      return apply != null;
    }
  }

  private final List<Step> steps = new ArrayList<>();

  void add(Step s) {
    steps.add(s);
  }

  List<Step> steps() {
    return List.copyOf(steps);
  }

  List<Step> pending() {
    return steps.stream().filter(Step::pending).toList();
  }

  List<Step> conflicts() {
    return steps.stream().filter(s -> !s.problems().isEmpty()).toList();
  }

  List<Step> skipped() {
    return steps.stream().filter(s -> s.action() == Action.SKIPPED).toList();
  }

  boolean nothingToDo() {
    return pending().isEmpty() && conflicts().isEmpty() && skipped().isEmpty();
  }

  long count(Action a) {
    return steps.stream().filter(s -> s.action() == a).count();
  }

  void print(PrintStream out) {
    for (Step s : steps) {
      out.printf(
          "  %-9s %s%s%n",
          s.action().label, s.subject(), s.summary() == null ? "" : " (" + s.summary() + ")");
      for (Change c : s.changes()) {
        out.println("              " + c);
      }
      for (String p : s.problems()) {
        out.println("              ! " + p);
      }
    }
    out.println(
        count(Action.CREATE)
            + " to create, "
            + count(Action.UPDATE)
            + " to update, "
            + count(Action.UNCHANGED)
            + " unchanged, "
            + conflicts().size()
            + " conflict(s)"
            + (skipped().isEmpty() ? "" : ", " + skipped().size() + " skipped"));
  }
}
