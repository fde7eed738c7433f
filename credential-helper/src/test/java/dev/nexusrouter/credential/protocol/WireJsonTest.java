package dev.nexusrouter.credential.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The output must match the Go helpers' byte for byte (SecretServiceIT compares them live). */
class WireJsonTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "plain ASCII          | abc            | \"abc\"",
        "quote and backslash  | a\"b\\c        | \"a\\\"b\\\\c\"",
        "HTML characters      | <tok>&         | \"\\u003ctok\\u003e\\u0026\"",
        "non-ASCII stays raw  | pä$$ 😀        | \"pä$$ 😀\"",
        "DEL stays raw        | \u007f         | \"\u007f\"",
      })
  void escapesLikeGo(String label, String input, String expected) {
    StringBuilder out = new StringBuilder();
    WireJson.appendString(out, input);
    assertEquals(expected, out.toString(), label);
  }

  @Test
  void controlCharactersOtherThanNewlineReturnAndTabAreSixCharacterEscapes() {
    // Go before 1.22 (Debian's docker-credential-secretservice) writes \b and \f as \u0008, \u000c.
    StringBuilder out = new StringBuilder();
    WireJson.appendString(out, "\b\f\n\r\t\u0000\u001f");
    assertEquals("\"\\u0008\\u000c\\n\\r\\t\\u0000\\u001f\"", out.toString());
  }

  @Test
  void lineAndParagraphSeparatorsAreEscapedForJavaScriptConsumers() {
    StringBuilder out = new StringBuilder();
    WireJson.appendString(out, "a\u2028b\u2029c");
    assertEquals("\"a\\u2028b\\u2029c\"", out.toString());
  }

  @Test
  void aLoneSurrogateBecomesTheReplacementCharacterAsInvalidUtf8DoesInGo() {
    StringBuilder out = new StringBuilder();
    WireJson.appendString(out, "x\ud83dy\ude00");
    assertEquals("\"x\ufffdy\ufffd\"", out.toString());
  }

  @Test
  void credentialsAndMapsAreOneCompactLine() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    WireJson.writeCredentials(out, new Credentials("reg.example", "<token>", "s"));
    Map<String, String> map = new LinkedHashMap<>();
    map.put("a", "1");
    map.put("b", "2");
    WireJson.writeMap(out, map);
    WireJson.writeMap(out, Map.of());
    assertEquals(
        "{\"ServerURL\":\"reg.example\",\"Username\":\"\\u003ctoken\\u003e\",\"Secret\":\"s\"}\n"
            + "{\"a\":\"1\",\"b\":\"2\"}\n"
            + "{}\n",
        out.toString(StandardCharsets.UTF_8));
  }
}
