package dev.nexusrouter.credential.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;

/**
 * The wire JSON, read and written with the streaming API only: jackson-databind would double the
 * start-up cost of every {@code get} (reference §4.4, machine notes).
 */
final class WireJson {
  // Emoji are surrogate pairs; without this Jackson writes them as \\u escapes, Go writes raw
  // UTF-8.
  private static final JsonFactory FACTORY =
      JsonFactory.builder().enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8).build();

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
    try (JsonParser parser = FACTORY.createParser(input)) {
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
    try (JsonGenerator gen = generator(out)) {
      gen.writeStartObject();
      gen.writeStringField("ServerURL", credentials.serverUrl());
      gen.writeStringField("Username", credentials.username());
      gen.writeStringField("Secret", credentials.secret());
      gen.writeEndObject();
    }
    out.write('\n');
  }

  static void writeMap(OutputStream out, Map<String, String> map) throws IOException {
    try (JsonGenerator gen = generator(out)) {
      gen.writeStartObject();
      for (Map.Entry<String, String> e : map.entrySet()) {
        gen.writeStringField(e.getKey(), e.getValue());
      }
      gen.writeEndObject();
    }
    out.write('\n');
  }

  private static JsonGenerator generator(OutputStream out) throws IOException {
    JsonGenerator gen = FACTORY.createGenerator(out);
    gen.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    gen.setCharacterEscapes(GoEscapes.INSTANCE);
    return gen;
  }

  /**
   * Go's encoder escapes {@code <}, {@code >} and {@code &}, so {@code <token>} reads as {@code
   * \u003ctoken\u003e} exactly as the Go helpers print it; non-ASCII text stays raw UTF-8.
   */
  private static final class GoEscapes extends CharacterEscapes {
    static final GoEscapes INSTANCE = new GoEscapes();
    private static final long serialVersionUID = 1L;
    private final int[] escapes;

    private GoEscapes() {
      escapes = CharacterEscapes.standardAsciiEscapesForJSON();
      escapes['<'] = CharacterEscapes.ESCAPE_CUSTOM;
      escapes['>'] = CharacterEscapes.ESCAPE_CUSTOM;
      escapes['&'] = CharacterEscapes.ESCAPE_CUSTOM;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
      return escapes;
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
      // Only <, > and & are marked ESCAPE_CUSTOM; anything else stays raw UTF-8 like Go.
      return ch == '<' || ch == '>' || ch == '&'
          ? new SerializedString(String.format("\\u%04x", ch))
          : null;
    }
  }
}
