package dev.nexusrouter.router.testing;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
