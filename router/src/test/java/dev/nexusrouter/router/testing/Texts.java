package dev.nexusrouter.router.testing;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** Assertions on text (command output, reports, logs). */
public final class Texts {
  private Texts() {}

  /**
   * Asserts that {@code text} contains every one of {@code needles}; a failure names each missing
   * one and shows the whole text, as one {@code assertTrue(text.contains(n), text)} per needle did.
   */
  public static void assertContains(String text, String... needles) {
    assertNotNull(text, "no text");
    List<String> missing = Arrays.stream(needles).filter(n -> !text.contains(n)).toList();
    assertTrue(missing.isEmpty(), () -> "missing " + missing + " in:\n" + text);
  }

  /**
   * Waits (about five seconds at most) until {@code file} exists and contains {@code needle}, for
   * logs a background thread writes; returns the file's text as last read ("" if it never
   * appeared), so the caller's assertion shows what was there.
   */
  public static String awaitInFile(Path file, String needle) throws Exception {
    String text = "";
    for (int i = 0; i < 100; i++) {
      text = Files.exists(file) ? Files.readString(file) : "";
      if (text.contains(needle)) {
        return text;
      }
      Thread.sleep(50);
    }
    return text;
  }
}
