package dev.nexusrouter.credential.dockerconfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.credential.dockerconfig.JsonDoc.Leaf;
import dev.nexusrouter.credential.dockerconfig.JsonDoc.Obj;
import org.junit.jupiter.api.Test;

class JsonDocTest {
  @Test
  void anUneditedDocumentIsNotChanged() throws Exception {
    Obj doc = (Obj) JsonDoc.parse("{ \"a\" : 2.50 , \"b\":[1e400, {\"c\":\"\\u0041\"}] }");
    assertFalse(doc.changed());
    assertEquals("A", ((Obj) JsonDoc.parse("{\"c\":\"\\u0041\"}")).string("c"));
  }

  @Test
  void anEditKeepsEveryOtherValueByteForByte() throws Exception {
    String source =
        "{\"price\": 2.50, \"huge\": 1e400, \"esc\": \"\\u003cx\\/y\",\n"
            + "\"nested\": {\"keep\": [1.0, -0E+2],  \"auth\":\"x\"}, \"big\": 12345678901234567890}";
    Obj doc = (Obj) JsonDoc.parse(source);
    doc.object("nested").remove("auth");
    doc.put("credsStore", Leaf.string("java"));
    String out = JsonDoc.write(doc);
    for (String kept :
        new String[] {
          "\"price\": 2.50",
          "\"huge\": 1e400",
          "\"esc\": \"\\u003cx\\/y\"",
          "\"keep\": [1.0, -0E+2]",
          "\"big\": 12345678901234567890",
          "\"credsStore\": \"java\""
        }) {
      assertTrue(out.contains(kept), kept + " missing from\n" + out);
    }
    assertFalse(out.contains("auth"), out);
    assertEquals(doc.members.size(), ((Obj) JsonDoc.parse(out)).members.size());
  }

  @Test
  void aDuplicateKeyReadsAsTheLastAndPutLeavesOne() throws Exception {
    Obj doc = (Obj) JsonDoc.parse("{\"credsStore\":\"a\",\"x\":1,\"credsStore\":\"b\"}");
    assertEquals("b", doc.string("credsStore"));
    doc.put("credsStore", Leaf.string("java"));
    assertEquals("{\n\t\"x\": 1,\n\t\"credsStore\": \"java\"\n}\n", JsonDoc.write(doc));
  }

  @Test
  void syntaxErrorsNameTheLineAndColumnButNotTheContent() {
    JsonDoc.SyntaxError e =
        assertThrows(
            JsonDoc.SyntaxError.class, () -> JsonDoc.parse("{\n  \"auth\": \"c2VjcmV0\" \"x\"}"));
    assertTrue(e.getMessage().contains("line 2"), e.getMessage());
    assertFalse(e.getMessage().contains("c2VjcmV0"), e.getMessage());
    for (String bad : new String[] {"{", "{\"a\":}", "[1,]", "{\"a\":1}x", "01", "\"\u0001\""}) {
      assertThrows(JsonDoc.SyntaxError.class, () -> JsonDoc.parse(bad), bad);
    }
  }

  @Test
  void unicodeEscapesTakeExactlyFourAsciiHexDigits() throws Exception {
    // Go's encoding/json (docker) rejects a sign or a non-ASCII digit where a hex digit belongs
    for (String bad :
        new String[] {"\"\\u+041\"", "\"\\u-041\"", "\"\\u00\u0663A\"", "\"\\u00G1\""}) {
      assertThrows(JsonDoc.SyntaxError.class, () -> JsonDoc.parse(bad), bad);
    }
    assertEquals("A\u00e9", ((Obj) JsonDoc.parse("{\"c\":\"\\u0041\\u00E9\"}")).string("c"));
  }
}
