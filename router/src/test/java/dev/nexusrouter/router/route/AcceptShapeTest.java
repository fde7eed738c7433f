package dev.nexusrouter.router.route;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
}
