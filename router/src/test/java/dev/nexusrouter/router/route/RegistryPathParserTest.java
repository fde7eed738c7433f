package dev.nexusrouter.router.route;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RegistryPathParserTest {

  static Stream<Arguments> cases() throws IOException {
    return Table.read("path-cases.txt").stream().map(r -> Arguments.of((Object[]) r));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("cases")
  void parsesEveryPathShapeOfTheTable(
      String raw, String kind, String name, String reference, String repository) {
    RegistryPath p = RegistryPathParser.parse(raw);
    assertEquals(kind, p.kind().wireName(), "kind of " + raw);
    assertEquals(dash(name), p.name(), "name of " + raw);
    assertEquals(dash(reference), p.reference(), "reference of " + raw);
    assertEquals(dash(repository), p.repository(), "repository of " + raw);
  }

  private static String dash(String s) {
    return s.equals("-") ? null : s;
  }

  /** Reads a '|'-separated table resource; '#' starts a comment line. */
  static final class Table {
    static List<String[]> read(String name) throws IOException {
      List<String[]> rows = new ArrayList<>();
      try (InputStream in = RegistryPathParserTest.class.getResourceAsStream(name)) {
        String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        for (String line : text.split("\n")) {
          if (line.isBlank() || line.startsWith("#")) {
            continue;
          }
          String[] cells = line.split("\\|");
          for (int i = 0; i < cells.length; i++) {
            cells[i] = cells[i].trim();
          }
          rows.add(cells);
        }
      }
      return rows;
    }
  }
}
