package dev.nexusrouter.router.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * YAML to a tree, with syntax errors turned into problems that name the line and column. Shared by
 * the router config and the Nexus layout loaders.
 */
public final class Yaml {
  private static final YAMLMapper MAPPER =
      YAMLMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

  private Yaml() {}

  public static JsonNode readFile(Path file, Problems problems) {
    try (InputStream in = Files.newInputStream(file)) {
      return read(in, problems);
    } catch (java.nio.file.NoSuchFileException e) {
      problems.add("", "file not found: " + file);
    } catch (IOException e) {
      problems.add("", "cannot read " + file + ": " + e.getMessage());
    }
    return null;
  }

  public static JsonNode readResource(String name, Problems problems) {
    try (InputStream in = Yaml.class.getResourceAsStream(name)) {
      if (in == null) {
        problems.add("", "missing built-in resource " + name);
        return null;
      }
      return read(in, problems);
    } catch (IOException e) {
      problems.add("", "cannot read built-in resource " + name + ": " + e.getMessage());
      return null;
    }
  }

  public static JsonNode readString(String yaml, Problems problems) {
    try {
      return read(
          new java.io.ByteArrayInputStream(yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
          problems);
    } catch (IOException e) {
      throw new IllegalStateException("reading from memory cannot fail", e);
    }
  }

  private static JsonNode read(InputStream in, Problems problems) throws IOException {
    try {
      JsonNode node = MAPPER.readTree(in);
      return node == null || node.isMissingNode() ? null : node;
    } catch (JsonProcessingException e) {
      JsonLocation loc = e.getLocation();
      String where = loc == null ? "" : "line " + loc.getLineNr() + ", column " + loc.getColumnNr();
      problems.add(where, "invalid YAML: " + e.getOriginalMessage());
      return null;
    }
  }
}
