package dev.nexusrouter.credential.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The wire JSON. {@code store} input is read with Jackson's streaming parser (jackson-databind
 * would double the start-up cost); output is written by hand, so {@code get} and {@code list},
 * which run on every pull, load no Jackson at all.
 */
final class WireJson {
  private WireJson() {}

  /**
   * Parses a {@code store} request the way Go's {@code encoding/json} does: keys matched
   * case-insensitively, unknown fields ignored, missing strings empty.
   *
   * @throws IOException with a message that never quotes the input (it may hold the secret)
   */
  static Credentials parseCredentials(byte[] input) throws IOException {
    String serverUrl = "";
    String username = "";
    String secret = "";
    try (JsonParser parser = new JsonFactory().createParser(input)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("invalid credentials JSON on stdin: expected an object");
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        String text = value == JsonToken.VALUE_STRING ? parser.getText() : null;
        if (value.isStructStart()) {
          parser.skipChildren();
        }
        if (text == null) {
          continue;
        }
        if (name.equalsIgnoreCase("ServerURL")) {
          serverUrl = text;
        } else if (name.equalsIgnoreCase("Username")) {
          username = text;
        } else if (name.equalsIgnoreCase("Secret")) {
          secret = text;
        }
      }
    } catch (JsonProcessingException e) {
      throw new IOException(
          "invalid credentials JSON on stdin at line "
              + e.getLocation().getLineNr()
              + ", column "
              + e.getLocation().getColumnNr());
    }
    return new Credentials(serverUrl, username, secret);
  }

  static void writeCredentials(OutputStream out, Credentials credentials) throws IOException {
    StringBuilder json = new StringBuilder(64 + credentials.secret().length());
    json.append("{\"ServerURL\":");
    appendString(json, credentials.serverUrl());
    json.append(",\"Username\":");
    appendString(json, credentials.username());
    json.append(",\"Secret\":");
    appendString(json, credentials.secret());
    out.write(json.append("}\n").toString().getBytes(StandardCharsets.UTF_8));
  }

  static void writeMap(OutputStream out, Map<String, String> map) throws IOException {
    StringBuilder json = new StringBuilder("{");
    for (Map.Entry<String, String> e : map.entrySet()) {
      if (json.length() > 1) {
        json.append(',');
      }
      appendString(json, e.getKey());
      json.append(':');
      appendString(json, e.getValue());
    }
    out.write(json.append("}\n").toString().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * A JSON string exactly as the Go helpers write it ({@code encoding/json} before Go 1.22, which
   * Debian's and Ubuntu's docker-credential-secretservice are built with): {@code \\"}, {@code
   * \\\\}, {@code \\n \\r \\t}, every other control character and {@code < > &} and U+2028/U+2029
   * as {@code \\u00xx}, a lone surrogate (invalid UTF-8 in Go) as U+FFFD, everything else raw
   * UTF-8. Hand-written rather than Jackson's generator because {@code get} runs on every pull and
   * the generator's set-up was a tenth of the helper's start-up (BENCHMARKS.md).
   */
  static void appendString(StringBuilder json, String value) {
    json.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"':
          json.append("\\\"");
          break;
        case '\\':
          json.append("\\\\");
          break;
        case '\n':
          json.append("\\n");
          break;
        case '\r':
          json.append("\\r");
          break;
        case '\t':
          json.append("\\t");
          break;
        case '\u2028':
          json.append("\\u2028");
          break;
        case '\u2029':
          json.append("\\u2029");
          break;
        default:
          if (c < 0x20 || c == '<' || c == '>' || c == '&') {
            json.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
          } else if (Character.isSurrogate(c)) {
            boolean pair =
                Character.isHighSurrogate(c)
                    && i + 1 < value.length()
                    && Character.isLowSurrogate(value.charAt(i + 1));
            if (pair) {
              json.append(c).append(value.charAt(++i));
            } else {
              json.append('\ufffd');
            }
          } else {
            json.append(c);
          }
      }
    }
    json.append('"');
  }

  private static final char[] HEX = "0123456789abcdef".toCharArray();
}
