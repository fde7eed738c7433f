package dev.nexusrouter.credential.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ServerUrlsTest {
  @ParameterizedTest
  @CsvSource({
    "https://index.docker.io/v1/, docker.io",
    "https://index.docker.io/v1, docker.io",
    "index.docker.io, docker.io",
    "registry-1.docker.io, docker.io",
    "docker.io, docker.io",
    "https://index.docker.io/v1/access-token, docker.io/v1/access-token",
    "reg.example.com, reg.example.com",
    "https://reg.example.com/, reg.example.com",
    "http://reg.example.com, reg.example.com",
    "reg.example.com:443, reg.example.com",
    "https://REG.Example.com:443/, reg.example.com",
    "reg.example.com:5000, reg.example.com:5000",
    "reg.example.com/Org/Repo, reg.example.com/Org/Repo",
  })
  void canonicalForms(String input, String expected) {
    assertEquals(expected, ServerUrls.canonical(input));
  }
}
