package dev.nexusrouter.router.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SizesTest {
  @ParameterizedTest
  @CsvSource({
    "0, 0",
    "off, 0",
    "1024, 1024",
    "64k, 65536",
    "512m, 536870912",
    "1g, 1073741824",
    "1G, 1073741824",
    "1gb, 1073741824",
    "2t, 2199023255552",
    "1 gig, -1",
    "-5, -1",
    "g, -1",
    "1.5g, -1",
    "8388607t, 9223370937343148032",
    "8388608t, -2",
    "999999999999999t, -2"
  })
  void bytesInNginxSyntax(String text, long expected) {
    assertEquals(expected, Sizes.parseBytes(text));
  }

  @ParameterizedTest
  @CsvSource({
    "3600, 3600000",
    "3600s, 3600000",
    "5m, 300000",
    "1h, 3600000",
    "250ms, 250",
    "1d, 86400000"
  })
  void durationsInNginxSyntax(String text, long millis) {
    assertEquals(Duration.ofMillis(millis), Sizes.parseDuration(text));
  }

  @ParameterizedTest
  @CsvSource({"soon", "1.5s", "s", "-1s", "5 m", "999999999999d"})
  void notDurations(String text) {
    assertNull(Sizes.parseDuration(text));
  }
}
