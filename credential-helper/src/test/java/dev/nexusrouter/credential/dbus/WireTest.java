package dev.nexusrouter.credential.dbus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WireTest {
  @Test
  void stringIsLengthBytesAndNul() {
    WireWriter w = new WireWriter();
    w.write("s", "abc");
    assertArrayEquals(new byte[] {3, 0, 0, 0, 'a', 'b', 'c', 0}, w.toByteArray());
  }

  @Test
  void dictEntriesAreEightByteAlignedAndTheLengthExcludesThePadding() {
    WireWriter w = new WireWriter();
    w.write("a{ss}", Map.of("a", "b"));
    assertArrayEquals(
        new byte[] {
          14, 0, 0, 0, 0, 0, 0, 0, // length 14, then padding to the first entry
          1, 0, 0, 0, 'a', 0, 0, 0, // key "a", padding to 4
          1, 0, 0, 0, 'b', 0
        },
        w.toByteArray());
  }

  @Test
  void variantCarriesItsSignature() {
    WireWriter w = new WireWriter();
    w.write("v", new Variant("s", ""));
    // signature "s", padding to 4, then the empty string: length 0 and its NUL
    assertArrayEquals(new byte[] {1, 's', 0, 0, 0, 0, 0, 0, 0}, w.toByteArray());
  }

  @Test
  void everyTypeTheSecretServiceUsesRoundTrips() {
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("xdg:schema", "io.docker.Credentials");
    attributes.put("server", "registry.example.com:5000");
    List<String> paths = List.of("/org/freedesktop/secrets/collection/login/1", "/a/b");
    List<Object> secret =
        List.of(
            "/s/1",
            new byte[0],
            "pä$$ 😀".getBytes(java.nio.charset.StandardCharsets.UTF_8),
            "text/plain");
    WireWriter w = new WireWriter();
    w.write("y", (byte) 7);
    w.write("a{ss}", attributes);
    w.write("ao", paths);
    w.write("(oayays)", secret);
    w.write("v", new Variant("ao", paths));
    w.write("b", true);
    w.write("u", 4_000_000_000L);

    WireReader r = new WireReader(w.toByteArray(), false, 0);
    List<Object> values = r.readAll("ya{ss}ao(oayays)vbu");
    assertEquals((byte) 7, values.get(0));
    assertEquals(attributes, values.get(1));
    assertEquals(paths, values.get(2));
    List<?> struct = (List<?>) values.get(3);
    assertEquals("/s/1", struct.get(0));
    assertArrayEquals((byte[]) secret.get(2), (byte[]) struct.get(2));
    assertEquals("text/plain", struct.get(3));
    assertEquals(new Variant("ao", paths), values.get(4));
    assertEquals(true, values.get(5));
    assertEquals(4_000_000_000L, values.get(6));
  }

  @Test
  void readsBigEndianMessagesToo() {
    byte[] bytes = {0, 0, 1, 2, 0, 0, 0, 2, 'h', 'i', 0};
    WireReader r = new WireReader(bytes, true, 0);
    assertEquals(List.of(258L, "hi"), r.readAll("us"));
  }

  @Test
  void aTruncatedValueIsAnErrorNotAnOverRead() {
    byte[] bytes = {9, 0, 0, 0, 'a', 'b'};
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> new WireReader(bytes, false, 0).read("s"));
    assertEquals("truncated D-Bus message", e.getMessage());
  }

  @Test
  void aLengthNearTwoGibibytesIsTruncationNotAnAllocation() {
    byte[] bytes = {(byte) 0xf8, (byte) 0xff, (byte) 0xff, 0x7f, 0, 0, 0, 0};
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> new WireReader(bytes, false, 0).read("ay"));
    assertEquals("truncated D-Bus message", e.getMessage());
    byte[] negative = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 'x', 0};
    assertThrows(
        IllegalArgumentException.class, () -> new WireReader(negative, false, 0).read("s"));
  }

  @Test
  void anEmptyStructInAVariantIsRejectedInsteadOfLoopingForever() {
    // a variant whose signature is "a()": an array of zero-sized elements
    byte[] bytes = {3, 'a', '(', ')', 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0};
    assertThrows(IllegalArgumentException.class, () -> new WireReader(bytes, false, 0).read("v"));
  }

  @Test
  void nestingBeyondTheSpecificationsLimitIsRejected() {
    WireWriter w = new WireWriter();
    Object value = "x";
    for (int i = 0; i < 100; i++) {
      value = new Variant(i == 0 ? "s" : "v", value);
    }
    w.write("v", value);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new WireReader(w.toByteArray(), false, 0).read("v"));
    assertEquals("D-Bus value nested too deeply", e.getMessage());
  }

  @Test
  void aMalformedSignatureIsAnArgumentError() {
    assertThrows(IllegalArgumentException.class, () -> Signatures.end("a{ss", 0));
    assertThrows(IllegalArgumentException.class, () -> Signatures.end("a", 0));
  }

  @Test
  void signaturesSplitIntoCompleteTypes() {
    assertEquals(5, Signatures.end("a{ss}o", 0));
    assertEquals(8, Signatures.end("(oayays)", 0));
    assertEquals(1, Signatures.end("vs", 0));
  }
}
