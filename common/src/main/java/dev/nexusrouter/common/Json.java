package dev.nexusrouter.common;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The one place JSON mappers are configured, so both tools read and write JSON the same way. */
public final class Json {
  private Json() {}

  /**
   * A new mapper that ignores unknown fields (wire formats grow) and never writes nulls as "null".
   */
  public static ObjectMapper lenientMapper() {
    return JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
  }

  /**
   * {@code s} as the inside of a JSON string (quotes, backslashes and every control character
   * escaped), for JSON written by hand.
   */
  public static String quote(String s) {
    return new String(JsonStringEncoder.getInstance().quoteAsString(s));
  }
}
