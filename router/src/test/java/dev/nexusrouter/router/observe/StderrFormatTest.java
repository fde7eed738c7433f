package dev.nexusrouter.router.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class StderrFormatTest {
  final StderrFormat format =
      new StderrFormat(Clock.fixed(Instant.parse("2026-12-04T10:15:30.250Z"), ZoneOffset.UTC));

  static LogRecord record(Level level, String msg, Throwable thrown) {
    LogRecord r = new LogRecord(level, msg);
    r.setInstant(Instant.parse("2026-12-04T10:15:30.250Z"));
    r.setThrown(thrown);
    return r;
  }

  @Test
  void aLineHasATimestampTheLevelAndTheMessage() {
    assertEquals(
        "2026-12-04T10:15:30.250Z nexus-router warning: reload rejected" + System.lineSeparator(),
        format.format(record(Level.WARNING, "reload rejected", null)));
  }

  @Test
  void theCauseChainIsOnTheSameLineWithoutAStackTrace() {
    Exception e =
        new RuntimeException(
            "UT005001: An exception occurred processing the request",
            new IOException("Connection reset by peer"));
    String line = format.format(record(Level.SEVERE, "UT005001", e));
    assertTrue(
        line.contains(
            ": java.lang.RuntimeException: UT005001: An exception occurred processing the request;"
                + " caused by java.io.IOException: Connection reset by peer"),
        line);
    assertFalse(line.contains("\tat "), line);
    assertEquals(1, line.split(System.lineSeparator(), -1).length - 1, line);
  }

  @Test
  void controlCharactersCannotForgeALine() {
    String line = format.format(record(Level.INFO, "a\rb\u001b[31m", null));
    assertTrue(line.contains("a\\x0Db\\x1B[31m"), line);
  }
}
