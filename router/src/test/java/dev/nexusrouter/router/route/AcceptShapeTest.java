package dev.nexusrouter.router.route;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class AcceptShapeTest {
  @ParameterizedTest(name = "[{0}] -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "''|0",
        "*/*|0",
        "' */* , application/*'|0",
        "*|0",
        "text|0",
        "/json|0",
        "application/|0",
        "application/json|1",
        "'application/vnd.oci.image.manifest.v1+json, */*'|1",
        "'application/json;q=0.9, */*;q=0.1'|1",
        "'a/b,c/d'|2",
        "'a/b, c/d, e/f, g/h, */*'|2",
        "',,a/b,,'|1",
        "'a/b;x=/'|1",
        "';a/b'|0",
        "'a/*;q=1, b/c'|1",
        "' a/b ; q=0.5 , c/d'|2",
        "'a;b/c, d/e'|1",
        "'x/y/z'|1",
        "'a / b'|1",
      })
  void countsConcreteTypesUpToSeveral(String header, int expected) {
    assertEquals(expected, AcceptShape.count(List.of(header)));
  }

  @ParameterizedTest(name = "{0} lines -> {1}")
  @CsvSource({"0,0", "1,1", "2,2", "5,2"})
  void countsAcrossHeaderLines(int lines, int expected) {
    List<String> values = java.util.Collections.nCopies(lines, "application/json");
    assertEquals(expected, AcceptShape.count(values));
  }

  /**
   * Linear cost without timing: the count reads each character of the header once, whatever its
   * shape. A 64 KiB header of empty, type-less or parameter-only elements (none of them concrete,
   * so the count never stops early) must not be rescanned per element, as the old per-element
   * {@code indexOf} to the end of the header did.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("unconcreteFloods")
  void readsEachCharacterOfTheHeaderOnce(String element) {
    String header = element.repeat(64 * 1024 / element.length());
    CountingChars chars = new CountingChars(header);
    assertEquals(0, AcceptShape.count(chars));
    assertEquals(header.length(), chars.reads, "characters read for " + header.length());
  }

  static Stream<String> unconcreteFloods() {
    return Stream.of("a,", ",", "a;", "a;b/c,", "*/*,", "a/,", " ,", "/a,");
  }

  /** A header that counts its character reads. */
  private static final class CountingChars implements CharSequence {
    private final String s;
    long reads;

    CountingChars(String s) {
      this.s = s;
    }

    @Override
    public int length() {
      return s.length();
    }

    @Override
    public char charAt(int index) {
      reads++;
      return s.charAt(index);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      throw new AssertionError("the count must not copy the header");
    }

    @Override
    public String toString() {
      throw new AssertionError("the count must not copy the header");
    }
  }
}
