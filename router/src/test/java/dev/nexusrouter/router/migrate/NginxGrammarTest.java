package dev.nexusrouter.router.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tokenizer and the rewrite-module evaluation against nginx's own rules: word splitting around
 * quotes and parentheses, {@code ${var}}, include order, location precedence and map lookups.
 */
class NginxGrammarTest {
  @TempDir Path dir;

  private List<Directive> parse(String text) throws Exception {
    Path f = dir.resolve("nginx.conf");
    Files.writeString(f, text);
    return NginxParser.parse(f);
  }

  @Test
  void quotedWordFollowedByParenthesisIsTwoWords() throws Exception {
    Directive d = parse("if ($request_method ~* 'GET') { }\n").get(0);
    assertEquals(List.of("($request_method", "~*", "GET", ")"), d.args());
  }

  @Test
  void braceAfterDollarBelongsToTheWord() throws Exception {
    Directive d = parse("set $a ${host}x;\n").get(0);
    assertEquals(List.of("$a", "${host}x"), d.args());
  }

  @Test
  void hashInsideAWordOrQuoteIsNotAComment() throws Exception {
    Directive d = parse("add_header X a#b \"c # d\"; # real comment\n").get(0);
    assertEquals(List.of("X", "a#b", "c # d"), d.args());
  }

  @Test
  void globIncludesAreReadInNameOrderWithLineNumbersOfTheirFile() throws Exception {
    Files.createDirectories(dir.resolve("conf.d"));
    Files.writeString(dir.resolve("conf.d/b.conf"), "\n\nb_directive 2;\n");
    Files.writeString(dir.resolve("conf.d/a.conf"), "a_directive 1;\n");
    List<Directive> ds = parse("first;\ninclude conf.d/*.conf;\nlast;\n");
    assertEquals(
        List.of("first", "a_directive", "b_directive", "last"),
        ds.stream().map(Directive::name).toList());
    assertEquals("conf.d/b.conf:3", ds.get(2).where().toString());
    assertEquals("nginx.conf:3", ds.get(3).where().toString());
  }

  private Directive server(String body) throws Exception {
    return parse("server {\n" + body + "\n}\n").get(0);
  }

  @Test
  void locationPrecedenceFollowsNginx() throws Exception {
    Directive s =
        server(
            "location / { proxy_pass http://root; }\n"
                + "location ^~ /v2/static/ { proxy_pass http://static; }\n"
                + "location /v2/ { proxy_pass http://prefix; }\n"
                + "location ~ ^/v2/.*/manifests/ { proxy_pass http://regex; }\n"
                + "location = /v2/ { proxy_pass http://exact; }");
    Rewrite r = new Rewrite(Map.of());
    assertEquals("http://exact", r.run(s, new Rewrite.Sample("GET", "/v2/")).value());
    assertEquals("http://regex", r.run(s, new Rewrite.Sample("GET", "/v2/a/manifests/1")).value());
    assertEquals("http://prefix", r.run(s, new Rewrite.Sample("GET", "/v2/a/blobs/x")).value());
    assertEquals(
        "http://static", r.run(s, new Rewrite.Sample("GET", "/v2/static/manifests/1")).value());
    assertEquals("http://root", r.run(s, new Rewrite.Sample("GET", "/other")).value());
  }

  @Test
  void mapsSetAndIfDecideTheProxyTarget() throws Exception {
    Directive map =
        parse("map $request_method $be { default push; ~*^(get|head)$ pull; OPTIONS opt; }\n")
            .get(0);
    Directive s =
        server(
            "set $x $be;\n"
                + "if ($request_uri !~ \"^/v2/\") { set $x ui; }\n"
                + "location / { proxy_pass http://$x; }");
    Rewrite r = new Rewrite(Map.of("be", map));
    assertEquals("http://pull", r.run(s, new Rewrite.Sample("HEAD", "/v2/a/manifests/1")).value());
    assertEquals("http://push", r.run(s, new Rewrite.Sample("PUT", "/v2/a/manifests/1")).value());
    assertEquals("http://opt", r.run(s, new Rewrite.Sample("OPTIONS", "/v2/")).value());
    assertEquals("http://ui", r.run(s, new Rewrite.Sample("GET", "/")).value());
  }

  @Test
  void returnEndsTheRequestBeforeAnyLocation() throws Exception {
    Directive s =
        server(
            "if ($request_method = DELETE) { return 405; }\nlocation / { proxy_pass http://a; }");
    Rewrite.Outcome o = new Rewrite(Map.of()).run(s, new Rewrite.Sample("DELETE", "/v2/"));
    assertEquals(Rewrite.Kind.RETURN, o.kind());
    assertEquals("405", o.value());
    assertNull(o.location());
  }
}
