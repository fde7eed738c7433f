package dev.nexusrouter.router.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class ResponseFramingTest {
  @Test
  void agreeingValuesInAnyFormAreOneLength() {
    assertEquals("5", ResponseFraming.agreedLength(List.of("5")));
    assertEquals("5", ResponseFraming.agreedLength(List.of("5", "5")));
    assertEquals("5", ResponseFraming.agreedLength(List.of("5, 5")));
    assertEquals("5", ResponseFraming.agreedLength(List.of("05", "5")));
    assertEquals("0", ResponseFraming.agreedLength(List.of("0", "00")));
  }

  @Test
  void disagreeingOrInvalidValuesAreNoLength() {
    assertNull(ResponseFraming.agreedLength(List.of("5", "50")));
    assertNull(ResponseFraming.agreedLength(List.of("5, 50")));
    assertNull(ResponseFraming.agreedLength(List.of("5,")));
    assertNull(ResponseFraming.agreedLength(List.of("-5")));
    assertNull(ResponseFraming.agreedLength(List.of("5 5")));
    assertNull(ResponseFraming.agreedLength(List.of("99999999999999999999")));
  }
}
