package dev.nexusrouter.common;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        "plain",
        "tab\there",
        "new\nline",
        "quote \" and backslash \\",
        "nul \u0000 bell \u0007 escape \u001b",
        "unicode é ü 中",
        "</script>"
      })
  void quotedTextIsValidJsonThatReadsBackUnchanged(String text) throws Exception {
    String doc = "{\"detail\":\"" + Json.quote(text) + "\"}";
    assertEquals(text, new ObjectMapper().readTree(doc).get("detail").asText());
  }
}
